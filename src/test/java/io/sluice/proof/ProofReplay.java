package io.sluice.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The operator's replay ({@code POST /v1/admin/replay}), run to its end, as the proof's last step. */
final class ProofReplay {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ProofReplay() {}

    static long rows(String tenant) throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE tenant = ?", tenant);
    }

    /** Replays the tenant's events accepted in [from, to) and returns its final read, matched and restored counts. */
    static Map<String, Long> run(URI replica, String key, Instant from, Instant to) throws Exception {
        HttpResponse<String> started = HTTP.send(
                HttpRequest.newBuilder(replica.resolve("/v1/admin/replay"))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202) {
            throw new AssertionError("replay answered " + started.statusCode() + ": " + started.body());
        }
        URI progress = replica.resolve(started.headers().firstValue("Location").orElseThrow());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode replay = JSON.readTree(HTTP.send(
                            HttpRequest.newBuilder(progress)
                                    .header("Authorization", "Bearer " + key)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            if (!"running".equals(replay.path("status").asText())) {
                return Map.of(
                        "matched", replay.path("matched").asLong(),
                        "restored", replay.path("restored").asLong());
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("the replay did not end within 10 min");
    }
}
