package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the sink does with a failure: wait out what is away, give up on a refusal after max-attempts. */
class FailurePolicyTest {

    private final FailurePolicy policy = new FailurePolicy(Duration.ofMillis(1), Duration.ofMillis(2), 5);
    private final AtomicInteger calls = new AtomicInteger();

    @Test
    void aRefusalIsAboutTheDataAndAnythingElseIsSomethingAway() {
        assertThat(FailurePolicy.isRefusal(refusal("23505"))).isTrue(); // unique violation
        assertThat(FailurePolicy.isRefusal(refusal("22P02"))).isTrue(); // invalid text
        assertThat(FailurePolicy.isRefusal(refusal("54000"))).isTrue(); // program limit exceeded
        assertThat(FailurePolicy.isRefusal(refusal("57P01"))).isFalse(); // the server is shutting down
        assertThat(FailurePolicy.isRefusal(new ConnectException("refused"))).isFalse();
    }

    @Test
    void whatIsAwayIsWaitedForAsLongAsItTakes() {
        Uni<String> stored = policy.waitingOut(
                "storing",
                () -> calls.incrementAndGet() < 50
                        ? Uni.createFrom().failure(new ConnectException("the database is away"))
                        : Uni.createFrom().item("stored"));

        assertThat(stored.await().atMost(Duration.ofSeconds(10))).isEqualTo("stored");
        assertThat(calls).hasValue(50);
    }

    @Test
    void waitingOutEndsAtTheFirstRefusal() {
        Uni<String> stored = policy.waitingOut("storing", () -> {
            calls.incrementAndGet();
            return Uni.createFrom().failure(refusal("23514"));
        });

        assertThatThrownBy(() -> stored.await().atMost(Duration.ofSeconds(10))).isInstanceOf(PgException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aRefusalIsTriedMaxAttemptsTimesInAllWhileAwaysInBetweenDoNotCount() {
        Uni<String> stored = policy.refusedAtMostMaxAttempts("storing an event", () -> {
            // every other call finds the database away: those are waited out, not counted
            return calls.incrementAndGet() % 2 == 1
                    ? Uni.createFrom().failure(new ConnectException("away"))
                    : Uni.createFrom().failure(refusal("22001"));
        });

        assertThatThrownBy(() -> stored.await().atMost(Duration.ofSeconds(10))).isInstanceOf(PgException.class);
        assertThat(calls).hasValue(10);
    }

    @Test
    void untilDoneRetriesEvenARefusal() {
        Uni<String> published = policy.untilDone(
                "dead-lettering",
                () -> calls.incrementAndGet() < 3
                        ? Uni.createFrom().failure(refusal("23505"))
                        : Uni.createFrom().item("published"));

        assertThat(published.await().atMost(Duration.ofSeconds(10))).isEqualTo("published");
        assertThat(calls).hasValue(3);
    }

    private static PgException refusal(String sqlState) {
        return new PgException("refused", "ERROR", sqlState, "detail");
    }
}
