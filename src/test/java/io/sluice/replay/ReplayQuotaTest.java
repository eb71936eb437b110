package io.sluice.replay;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import jakarta.enterprise.inject.Vetoed;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replay's range and a tenant's replays at once are capped by its quotas, and the replays
 * waiting for a runner by a bound of the replica's; what is refused is neither started nor
 * audited. The runners are held (their work kept until the test lets it go), so "at once" does
 * not depend on how fast a replay ends.
 */
@QuarkusTest
class ReplayQuotaTest {

    /** Keeps the replays it is given until {@link #release()}; vetoed, or it would be a second bean of the type. */
    @Vetoed
    static final class HeldRunners extends ReplayRunners {
        private final List<Runnable> held = Collections.synchronizedList(new ArrayList<>());

        @Override
        void run(Runnable replay) {
            held.add(replay);
        }

        void release() {
            List<Runnable> now;
            synchronized (held) {
                now = List.copyOf(held);
                held.clear();
            }
            now.forEach(replay -> new Thread(replay, "held-replay").start());
        }
    }

    @TestHTTPResource("/")
    URI app;

    private final HeldRunners runners = new HeldRunners();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "replay-quota-a-" + run;

    @BeforeEach
    void holdTheRunners() {
        QuarkusMock.installMockForType(runners, ReplayRunners.class);
    }

    @AfterEach
    void releaseTheRunners() {
        runners.release();
    }

    @Test
    void aReplayBeyondTheRangeOrTheTenantsReplaysAtOnceIsRefused() throws Exception {
        as(TestCredentials.BOOTSTRAP)
                .contentType("application/json")
                .body("{\"replays\":1,\"replayRange\":\"PT1H\"}")
                .put("/v1/admin/quotas/" + tenant)
                .then()
                .statusCode(200);
        String admin = TestCredentials.createKey(app, tenant, "admin");
        Instant to = Instant.now();

        Response tooLong = start(admin, to.minus(Duration.ofMinutes(61)), to);
        assertRefused(tooLong, 422, "replayRange");
        assertThat(tooLong.jsonPath().getString("limit")).isEqualTo("PT1H");

        Response first = start(admin, to.minus(Duration.ofHours(1)), to);
        first.then().statusCode(202);
        Response second = start(admin, to.minusSeconds(60), to);
        assertRefused(second, 429, "replays");
        assertThat(second.jsonPath().getInt("limit")).isEqualTo(1);
        assertThat(second.header("Retry-After")).isNotNull();
        assertThat(TestDatabase.count(
                        "SELECT count(*) FROM audit_log WHERE tenant = ? AND action = 'replay.started'", tenant))
                .as("only the replay that was admitted is audited")
                .isEqualTo(1);

        String otherAdmin = TestCredentials.createKey(app, "replay-quota-b-" + run, "admin");
        start(otherAdmin, to.minusSeconds(60), to).then().statusCode(202);

        // Once the first has ended, the tenant may start another.
        runners.release();
        String progress = "/v1/admin/replay/" + first.jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !"running".equals(as(admin).get(progress).path("status")));
        assertThat(as(admin).get(progress).jsonPath().getMap("$")).doesNotContainKey("read");
        start(admin, to.minusSeconds(60), to).then().statusCode(202);
    }

    @Test
    void replaysWaitingForARunnerAreBoundedOnTheReplica() {
        Instant to = Instant.now();
        for (int i = 0; i < ReplayService.MAX_WAITING; i++) {
            String admin = TestCredentials.createKey(app, "replay-queue-" + i + "-" + run, "admin");
            start(admin, to.minusSeconds(60), to).then().statusCode(202);
        }
        String last = TestCredentials.createKey(app, "replay-queue-last-" + run, "admin");
        Response refused = start(last, to.minusSeconds(60), to);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("quota"))
                .as("the replica's bound, not a tenant's quota")
                .isNull();
        assertThat(refused.header("Retry-After")).isNotNull();
    }

    private static Response start(String key, Instant from, Instant to) {
        return as(key).contentType("application/json")
                .body("{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"dryRun\":true}")
                .post("/v1/admin/replay");
    }

    private static void assertRefused(Response refused, int status, String quota) {
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(status);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.jsonPath().getString("quota")).isEqualTo(quota);
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
