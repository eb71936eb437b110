package io.sluice.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Redis side of the dedup protocol, against the real Redis, with batches beyond one pipeline. */
@QuarkusTest
class DedupStoreTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    DedupStore store;

    @Inject
    Redis redis;

    private final String source = "/dedup-test/" + UUID.randomUUID();

    /** 3,000 keys are 6,000 commands: more than the client takes in one pipeline. */
    private List<DedupKey> keys(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new DedupKey("default", source, "event-" + i))
                .toList();
    }

    @Test
    void aBatchLargerThanOnePipelineIsClaimedSeenAsHeldThenDoneAndReleased() {
        claimHoldMarkRelease(store);
    }

    /** What a Redis older than 7.0 gets: a SET NX and a GET per claim, same answers. */
    @Test
    void twoCommandClaimsGiveTheSameAnswers() {
        DedupStore older = new DedupStore(redis);
        older.useTwoCommandClaims();
        claimHoldMarkRelease(older);
    }

    private void claimHoldMarkRelease(DedupStore store) {
        List<DedupKey> keys = keys(3_000);

        Map<DedupKey, ClaimState> first =
                store.claim(keys, "owner-a", LEASE).await().atMost(WAIT);
        assertThat(first)
                .hasSize(3_000)
                .allSatisfy((key, state) -> assertThat(state).isEqualTo(ClaimState.CLAIMED));
        assertThat(first.keySet()).containsExactlyElementsOf(keys);

        Map<DedupKey, ClaimState> again =
                store.claim(keys, "owner-a", LEASE).await().atMost(WAIT);
        assertThat(again.values()).containsOnly(ClaimState.CLAIMED);

        Map<DedupKey, ClaimState> other =
                store.claim(keys, "owner-b", LEASE).await().atMost(WAIT);
        assertThat(other.values()).containsOnly(ClaimState.HELD_ELSEWHERE);

        store.markDone(keys.subList(0, 1_500), Duration.ofMinutes(5)).await().atMost(WAIT);
        // owner-b may not free owner-a's claims; owner-a may.
        store.release(keys.subList(1_500, 3_000), "owner-b").await().atMost(WAIT);
        assertThat(store.claim(keys.subList(1_500, 3_000), "owner-c", LEASE)
                        .await()
                        .atMost(WAIT)
                        .values())
                .containsOnly(ClaimState.HELD_ELSEWHERE);
        store.release(keys.subList(1_500, 3_000), "owner-a").await().atMost(WAIT);

        Map<DedupKey, ClaimState> last =
                store.claim(keys, "owner-c", LEASE).await().atMost(WAIT);
        assertThat(last.values().stream().filter(state -> state == ClaimState.DONE))
                .hasSize(1_500);
        assertThat(keys.subList(0, 1_500))
                .allSatisfy(key -> assertThat(last.get(key)).isEqualTo(ClaimState.DONE));
        assertThat(keys.subList(1_500, 3_000))
                .allSatisfy(key -> assertThat(last.get(key)).isEqualTo(ClaimState.CLAIMED));
    }

    @Test
    void keysOfDifferentPartsNeverCollide() {
        DedupKey one = new DedupKey("default", source + ":b", "c");
        DedupKey other = new DedupKey("default", source, "b:c");
        assertThat(one.redisKey()).isNotEqualTo(other.redisKey());

        store.claim(List.of(one), "owner-a", LEASE).await().atMost(WAIT);
        store.markDone(List.of(one), Duration.ofMinutes(1)).await().atMost(WAIT);
        assertThat(store.claim(List.of(other), "owner-a", LEASE).await().atMost(WAIT))
                .containsEntry(other, ClaimState.CLAIMED);
    }
}
