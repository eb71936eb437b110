package io.sluice.quota;

import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import java.time.Duration;

/**
 * What a tenant's use of is capped, each with its default under {@code sluice.quotas.*}. A cap
 * on what a tenant holds answers 422 when reached (waiting frees nothing); a cap on what it
 * does at once or per window answers 429 with {@code Retry-After}.
 */
public enum Quota {
    RULES("rules", "rules", ProblemType.QUOTA_EXCEEDED),
    KEYS("keys", "keys", ProblemType.QUOTA_EXCEEDED),
    STREAMS("streams", "streams", ProblemType.TOO_MANY_REQUESTS),
    REPLAYS("replays", "replays", ProblemType.TOO_MANY_REQUESTS),
    REPLAY_RANGE("replayRange", "replay_range_seconds", ProblemType.QUOTA_EXCEEDED),
    REQUESTS("requests", "requests", ProblemType.TOO_MANY_REQUESTS);

    private final String wireName;
    private final String column;
    private final ProblemType refusal;

    Quota(String wireName, String column, ProblemType refusal) {
        this.wireName = wireName;
        this.column = column;
        this.refusal = refusal;
    }

    /** The name in requests, answers and problems: {@code quota} names it, {@code limit} gives its value. */
    public String wireName() {
        return wireName;
    }

    /** Its column in {@code tenant_quotas}. */
    String column() {
        return column;
    }

    /**
     * The refusal of a request that would exceed the quota: nothing of it was done.
     * {@code retryAfter} matters for the 429 quotas only.
     */
    public ProblemException exceeded(Object limit, String detail, Duration retryAfter) {
        Problem problem = Problem.of(refusal, detail).with("quota", wireName).with("limit", limit);
        return new ProblemException(problem, refusal == ProblemType.TOO_MANY_REQUESTS ? retryAfter : null);
    }
}
