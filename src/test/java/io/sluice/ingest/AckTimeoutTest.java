package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.PrivateBrokerResource;
import io.sluice.testing.ShortKafkaTimeouts;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request's ack timeout, shorter here than the producer's delivery timeout: with the broker
 * hung, a batch is answered 503 for every event when the timeout passes, while its records are
 * still in the producer; its bytes stay in the in-flight budget until Kafka settles them, and
 * once the broker answers again they are released. A 202 never comes from a timeout.
 */
@QuarkusTest
@TestProfile(AckTimeoutTest.ShortAckTimeout.class)
class AckTimeoutTest {

    static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    InFlightBudget budget;

    @Test
    void hungBrokerGets503AtTheAckTimeoutAndTheBytesStayInFlightUntilKafkaSettles() {
        batch("warm").then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.used() == 0);

        PrivateBrokerResource.kafka().pause(1);
        Response answer;
        long started = System.nanoTime();
        try {
            answer = batch("hung");
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.header("Retry-After")).isEqualTo("2");
            assertThat(waited).isBetween(ACK_TIMEOUT, ACK_TIMEOUT.plusSeconds(4));
            List<Integer> statuses = answer.jsonPath().getList("results.status");
            assertThat(statuses).containsExactly(503, 503, 503);
            assertThat(answer.jsonPath().getList("results.detail", String.class))
                    .allSatisfy(detail -> assertThat(detail).isEqualTo("Kafka did not acknowledge within 2 s."));
            // Answered, but the records are still the producer's: their bytes still count.
            assertThat(budget.used()).isPositive();
        } finally {
            PrivateBrokerResource.kafka().resume(1);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> budget.used() == 0);
        batch("after").then().statusCode(202);
    }

    private static Response batch(String source) {
        String events = "[" + IngestResourceTest.event(source) + "," + IngestResourceTest.event(source) + ","
                + IngestResourceTest.event(source) + "]";
        return given().contentType("application/cloudevents-batch+json")
                .body(events)
                .post("/v1/events");
    }

    public static class ShortAckTimeout extends OwnBackendsProfile {
        public ShortAckTimeout() {
            super(PrivateBrokerResource.class, config());
        }

        private static Map<String, String> config() {
            Map<String, String> config = new HashMap<>(ShortKafkaTimeouts.config());
            config.put("sluice.ingest.ack-timeout", ACK_TIMEOUT.toSeconds() + "s");
            return config;
        }
    }
}
