package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.PrivateBrokerResource;
import io.sluice.testing.ShortKafkaTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    /** One thread per client: the common pool may have a single thread, and these clients block. */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @Test
    void brokerKilledMidRequestAnswers503AndRecoveryAnswers202() throws Exception {
        post().then().statusCode(202);

        PrivateBrokerResource.kafka().pause(1);
        long started = System.nanoTime();
        CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(KafkaOutageTest::post, CLIENTS);
        try {
            // The request is now waiting for an acknowledgement the hung broker will never send.
            Thread.sleep(1_000);
            assertThat(inFlight).isNotDone();
        } finally {
            PrivateBrokerResource.kafka().kill(1);
        }
        Response answer = inFlight.get(ShortKafkaTimeouts.ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.header("Retry-After")).isEqualTo("2");
        assertThat(answer.jsonPath().getInt("results[0].status")).isEqualTo(503);
        assertThat(waited).isLessThan(ShortKafkaTimeouts.ANSWER_BOUND);

        PrivateBrokerResource.kafka().start(1);
        // The producer reconnects by itself; the first requests may still meet the old failure.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> post().statusCode() == 202);
    }

    @Test
    void whatIsInFlightIsBoundedAndTheRestIsRefusedAtOnce() throws Exception {
        // The profile allows 64 KiB in flight: six requests of 10,000 bytes fit, the seventh does not.
        String body = eventOfExactly(10_000);
        post().then().statusCode(202);

        PrivateBrokerResource.kafka().pause(1);
        List<CompletableFuture<Response>> requests = new ArrayList<>();
        List<Response> refused = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                CompletableFuture<Response> request = CompletableFuture.supplyAsync(
                        () -> given().contentType("application/cloudevents+json")
                                .body(body)
                                .post("/v1/events"),
                        CLIENTS);
                requests.add(request);
            }
            // Refusals come back at once, while the admitted requests wait for the hung broker.
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            requests.stream().filter(CompletableFuture::isDone).count() == 14);
            for (CompletableFuture<Response> request : requests) {
                if (request.isDone()) {
                    refused.add(request.get());
                }
            }
            // A replica with no room for another request is not ready: traffic goes elsewhere.
            assertThat(bufferReadiness()).isEqualTo("DOWN");
        } finally {
            PrivateBrokerResource.kafka().resume(1);
        }
        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.header("Retry-After")).isEqualTo("2");
            assertThat(answer.jsonPath().getString("detail")).contains("in flight");
        });
        long accepted = 0;
        for (CompletableFuture<Response> request : requests) {
            if (request.get(ShortKafkaTimeouts.ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS)
                            .statusCode()
                    == 202) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(6);
        await().atMost(Duration.ofSeconds(20)).until(() -> "UP".equals(bufferReadiness()));
        // Settled sends give their bytes back: a full budget's worth is admitted again.
        for (int i = 0; i < 6; i++) {
            given().contentType("application/cloudevents+json")
                    .body(body)
                    .post("/v1/events")
                    .then()
                    .statusCode(202);
        }
    }

    private static String bufferReadiness() {
        return management()
                .get("/q/health/ready")
                .then()
                .extract()
                .path("checks.find { it.name == 'ingest-buffer' }.status");
    }

    /** A valid structured event whose JSON is exactly {@code size} bytes. */
    private static String eventOfExactly(int size) {
        ObjectNode event = IngestResourceTest.event("budget");
        event.put("padding", "");
        int missing = size - event.toString().getBytes(StandardCharsets.UTF_8).length;
        event.put("padding", "x".repeat(missing));
        assertThat(event.toString().getBytes(StandardCharsets.UTF_8)).hasSize(size);
        return event.toString();
    }

    private static Response post() {
        return given().contentType("application/cloudevents+json")
                .body(IngestResourceTest.event("outage").toString())
                .post("/v1/events");
    }

    /** The in-flight budget test needs a budget small enough to fill with a few requests. */
    private static Map<String, String> withSmallBudget() {
        Map<String, String> config = new HashMap<>(ShortKafkaTimeouts.config());
        config.put("sluice.ingest.max-in-flight-bytes", "64K");
        return config;
    }

    public static class PrivateBroker extends OwnBackendsProfile {
        public PrivateBroker() {
            super(PrivateBrokerResource.class, withSmallBudget());
        }
    }
}
