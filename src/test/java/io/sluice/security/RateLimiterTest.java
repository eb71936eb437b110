package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leased counting against the real Redis: two limiters (two replicas) under concurrent
 * requests admit exactly the limit in all, however the leases fell between them.
 */
class RateLimiterTest {

    private static final Duration WINDOW = Duration.ofSeconds(30);

    private Vertx vertx;
    private Redis redis;

    @BeforeEach
    void connect() {
        vertx = Vertx.vertx();
        String port = System.getenv().getOrDefault("SLUICE_REDIS_PORT", "6379");
        redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
    }

    @AfterEach
    void close() {
        redis.close();
        vertx.closeAndAwait();
    }

    @Test
    void twoReplicasAdmitExactlyTheLimitUnderConcurrentRequests() throws Exception {
        assertAdmittedInOneWindow(1_000, 1_500);
    }

    @Test
    void aLimitBelowTheLeaseSizeIsCountedOneByOne() throws Exception {
        assertAdmittedInOneWindow(7, 40);
    }

    /** {@code perReplica} requests at once on each of two replicas; exactly {@code limit} pass. */
    private void assertAdmittedInOneWindow(int limit, int perReplica) throws Exception {
        RateLimiter a = new RateLimiter(redis, limit, WINDOW, new SimpleMeterRegistry());
        RateLimiter b = new RateLimiter(redis, limit, WINDOW, new SimpleMeterRegistry());
        String credential = "key:test-" + UUID.randomUUID();
        startEarlyInAWindow();

        List<Uni<Duration>> answers = new ArrayList<>();
        for (int i = 0; i < perReplica; i++) {
            answers.add(a.admit(credential));
            answers.add(b.admit(credential));
        }
        List<Duration> waits = Uni.join().all(answers).andFailFast().await().atMost(Duration.ofSeconds(20));

        long admitted = waits.stream().filter(wait -> wait == null).count();
        assertThat(admitted).isEqualTo(limit);
        assertThat(waits.stream().filter(wait -> wait != null))
                .allSatisfy(wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(WINDOW));
    }

    /** All requests of a test in one window: wait for the next one if this one is half gone. */
    private static void startEarlyInAWindow() throws InterruptedException {
        long intoWindow = System.currentTimeMillis() % WINDOW.toMillis();
        if (intoWindow > WINDOW.toMillis() / 2) {
            Thread.sleep(WINDOW.toMillis() - intoWindow + 50);
        }
    }
}
