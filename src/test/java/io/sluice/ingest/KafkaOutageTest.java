package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.testing.LocalStack;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.ShortKafkaTimeouts;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * "202" means "in Kafka": with the broker hung and then killed while a request waits for its
 * acknowledgement, the request gets 503 with Retry-After within the bounded time, never 202.
 * The broker is a private one, so killing it disturbs no other test.
 */
@QuarkusTest
@TestProfile(KafkaOutageTest.PrivateBroker.class)
class KafkaOutageTest {

    @Test
    void brokerKilledMidRequestAnswers503AndRecoveryAnswers202() throws Exception {
        post().then().statusCode(202);

        PrivateBrokerResource.kafka.pause(1);
        long started = System.nanoTime();
        CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(KafkaOutageTest::post);
        try {
            // The request is now waiting for an acknowledgement the hung broker will never send.
            Thread.sleep(1_000);
            assertThat(inFlight).isNotDone();
        } finally {
            PrivateBrokerResource.kafka.kill(1);
        }
        Response answer = inFlight.get(ShortKafkaTimeouts.ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.header("Retry-After")).isEqualTo("2");
        assertThat(answer.jsonPath().getInt("results[0].status")).isEqualTo(503);
        assertThat(waited).isLessThan(ShortKafkaTimeouts.ANSWER_BOUND);

        PrivateBrokerResource.kafka.start(1);
        // The producer reconnects by itself; the first requests may still meet the old failure.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> post().statusCode() == 202);
    }

    private static Response post() {
        return given().contentType("application/cloudevents+json")
                .body(IngestResourceTest.event("outage").toString())
                .post("/v1/events");
    }

    public static class PrivateBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PrivateBrokerResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return ShortKafkaTimeouts.config();
        }
    }

    public static class PrivateBrokerResource implements QuarkusTestResourceLifecycleManager {
        static LocalStack kafka;

        @Override
        public Map<String, String> start() {
            kafka = LocalStack.isolated("outage", 29192);
            kafka.up();
            Map<String, String> config = new HashMap<>(LocalStackResource.sharedConfig());
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            return config;
        }

        @Override
        public void stop() {
            kafka.down();
        }
    }
}
