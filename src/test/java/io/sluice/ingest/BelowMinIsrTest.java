package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.testing.LocalStack;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.ReplicatedKafkaResource;
import io.sluice.testing.ShortKafkaTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With two of three brokers down, fewer replicas are in sync than min.insync.replicas=2
 * demands: every request answers 503 within the bounded time, and none answers 2xx.
 */
@QuarkusTest
@TestProfile(BelowMinIsrTest.ReplicatedCluster.class)
class BelowMinIsrTest {

    /** One thread per client: the common pool may have a single thread, and these clients block. */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    private static final int REQUESTS = 24;

    @Test
    void everyRequestAnswers503WithinTheBoundAndNoneIsAccepted() throws Exception {
        LocalStack cluster = LocalStack.shared(3);
        given().contentType("application/cloudevents+json")
                .body(IngestResourceTest.event("min-isr").toString())
                .post("/v1/events")
                .then()
                .statusCode(202);

        cluster.kill(2);
        cluster.kill(3);
        List<CompletableFuture<Timed>> requests = new ArrayList<>();
        try {
            // Different subjects: the requests spread over every partition, whichever broker leads it.
            for (int i = 0; i < REQUESTS; i++) {
                String subject = "min-isr-" + i;
                requests.add(CompletableFuture.supplyAsync(() -> Timed.post(subject), CLIENTS));
            }
            for (CompletableFuture<Timed> request : requests) {
                Timed answer = request.get(ShortKafkaTimeouts.ANSWER_BOUND.toSeconds() * 2, TimeUnit.SECONDS);
                assertThat(answer.response.statusCode()).isEqualTo(503);
                assertThat(answer.response.header("Retry-After")).isNotBlank();
                assertThat(answer.took).isLessThan(ShortKafkaTimeouts.ANSWER_BOUND);
            }
        } finally {
            cluster.start(2);
            cluster.start(3);
        }
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> Timed.post("min-isr-after").response.statusCode() == 202);
    }

    private record Timed(Response response, Duration took) {
        static Timed post(String subject) {
            long started = System.nanoTime();
            Response response = given().contentType("application/cloudevents+json")
                    .body(IngestResourceTest.event(subject).toString())
                    .post("/v1/events");
            return new Timed(response, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    public static class ReplicatedCluster extends OwnBackendsProfile {
        public ReplicatedCluster() {
            super(ReplicatedKafkaResource.class, ShortKafkaTimeouts.config());
        }
    }
}
