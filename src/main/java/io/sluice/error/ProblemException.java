package io.sluice.error;

import java.time.Duration;

/** Ends a request with a problem answer; thrown where the request is found wanting. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final Duration retryAfter;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, Duration retryAfter) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public static ProblemException of(ProblemType type, String detail) {
        return new ProblemException(Problem.of(type, detail));
    }

    public Problem problem() {
        return problem;
    }

    /** When set, the answer carries {@code Retry-After} in whole seconds. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
