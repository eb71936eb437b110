package io.sluice.sink;

import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * How the sink meets a failure, in one place. A failure is either a <em>refusal</em>, the
 * database refusing the data itself (SQL state classes 22, 23 and 54: the same rows get the
 * same answer again), or something being <em>away</em>: the database, Redis or Kafka. What is
 * away is waited for, trying again with a backoff from {@code initial-backoff} doubling up to
 * {@code max-backoff}, as long as it takes: skipping would lose events. A refusal is tried
 * {@code max-attempts} times in all, and then the caller decides (the sink dead-letters the
 * event).
 */
final class FailurePolicy {

    private static final Logger LOG = Logger.getLogger(FailurePolicy.class);

    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxAttempts;

    FailurePolicy(SluiceConfig.Sink config) {
        this(config.initialBackoff(), config.maxBackoff(), config.maxAttempts());
    }

    FailurePolicy(Duration initialBackoff, Duration maxBackoff, int maxAttempts) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxAttempts = maxAttempts;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /** A refusal about the data itself, as opposed to the database being away. */
    static boolean isRefusal(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
        }
        return false;
    }

    /** Runs {@code step}, again after every failure but a refusal, which it ends with. */
    <T> Uni<T> waitingOut(String what, Supplier<Uni<? extends T>> step) {
        return Uni.createFrom()
                .<T>deferred(step)
                .onFailure(failure -> !isRefusal(failure))
                .invoke(failure -> LOG.warnf("%s failed, retrying: %s", what, failure.getMessage()))
                .onFailure(failure -> !isRefusal(failure))
                .retry()
                .withBackOff(initialBackoff, maxBackoff)
                .indefinitely();
    }

    /**
     * Runs {@code step} until it succeeds, whatever fails: for steps that must happen and that
     * no refusal is expected from (publishing dead letters, recording dedup hits).
     */
    <T> Uni<T> untilDone(String what, Supplier<Uni<? extends T>> step) {
        return Uni.createFrom()
                .<T>deferred(step)
                .onFailure()
                .invoke(failure -> LOG.warnf("%s failed, retrying: %s", what, failure.getMessage()))
                .onFailure()
                .retry()
                .withBackOff(initialBackoff, maxBackoff)
                .indefinitely();
    }

    /**
     * Like {@link #waitingOut}, and a refusal is tried again too, up to {@code max-attempts}
     * refusals in all; then it fails with the last one.
     */
    <T> Uni<T> refusedAtMostMaxAttempts(String what, Supplier<Uni<? extends T>> step) {
        return waitingOut(what, step)
                .onFailure()
                .retry()
                .withBackOff(initialBackoff, maxBackoff)
                .atMost(maxAttempts - 1L);
    }
}
