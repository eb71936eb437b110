package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.PackagedReplica;
import io.sluice.testing.TestCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two packaged replicas count one key's requests together (in Redis): a client spreading its
 * requests over both gets no more than the limit in all.
 */
class RateLimitAcrossReplicasIT {

    private static final int LIMIT = 10;
    private static final Duration WINDOW = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void bothReplicasCountAgainstOneLimit() throws Exception {
        List<String> settings = List.of(
                "-Dsluice.security.rate-limit.requests=" + LIMIT,
                "-Dsluice.security.rate-limit.window=" + WINDOW.toSeconds() + "s",
                "-Dmp.messaging.incoming.events-sink.enabled=false");
        try (PackagedReplica a = PackagedReplica.start("rate-limit-it-a", settings);
                PackagedReplica b = PackagedReplica.start("rate-limit-it-b", settings)) {
            URI onA = a.awaitReady(Duration.ofSeconds(60)).uri();
            URI onB = b.awaitReady(Duration.ofSeconds(60)).uri();
            String key = TestCredentials.createKey(onA, "rate-limit-it", "subscribe");
            // All requests in one window: start early in one.
            long intoWindow = System.currentTimeMillis() % WINDOW.toMillis();
            if (intoWindow > WINDOW.toMillis() / 2) {
                Thread.sleep(WINDOW.toMillis() - intoWindow + 50);
            }
            for (int i = 0; i < LIMIT; i++) {
                assertThat(status(i % 2 == 0 ? onA : onB, key))
                        .as("request %d", i + 1)
                        .isEqualTo(200);
            }
            assertThat(status(onA, key)).as("request %d on A", LIMIT + 1).isEqualTo(429);
            assertThat(status(onB, key)).as("request %d on B", LIMIT + 2).isEqualTo(429);
        }
    }

    private int status(URI replica, String key) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(replica.resolve("/v1/alerts"))
                                .header("Authorization", "Bearer " + key)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
