package io.sluice.security;

import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TestCredentials;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keys nobody made cost the database a bounded number of queries, however many are presented:
 * each ingest request checks its key before anything else, and the lookup of an unknown key
 * runs on the pool the sink writes with. The queries are counted by Sluice's own metric, whose
 * "queried" outcome is incremented exactly where the lookup is sent.
 */
@QuarkusTest
class MadeUpKeysTest {

    private static final int REQUESTS = 10_000;
    private static final int CONCURRENT = 32;
    private static final Pattern LOOKUPS =
            Pattern.compile("^sluice_security_key_lookups_total\\{[^}]*outcome=\"([a-z-]+)\"[^}]*} ([0-9.eE+]+)$");

    @TestHTTPResource("/v1/events")
    URI events;

    @Inject
    SluiceConfig config;

    private final SecureRandom random = new SecureRandom();
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void tenThousandMadeUpKeysCostAHandfulOfQueries() throws Exception {
        Map<String, Double> before = lookups();
        long started = System.nanoTime();
        Map<Integer, AtomicInteger> statuses = sendWithMadeUpKeys(REQUESTS);
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> after = lookups();

        assertThat(statuses).containsOnlyKeys(401);
        assertThat(statuses.get(401)).hasValue(REQUESTS);
        double queried = after.getOrDefault("queried", 0.0) - before.getOrDefault("queried", 0.0);
        double refused =
                after.getOrDefault("refused-without-query", 0.0) - before.getOrDefault("refused-without-query", 0.0);
        assertThat(queried + refused)
                .as("every made-up key went one way or the other")
                .isEqualTo(REQUESTS);
        // The budget: as many lookups at once as per second, then that many each second.
        int perSecond = config.security().unknownKeyLookups();
        assertThat(queried)
                .as("queries for %,d made-up keys in %.1f s", REQUESTS, seconds)
                .isLessThanOrEqualTo(perSecond * (Math.ceil(seconds) + 1));
    }

    @Test
    void aMadeUpKeyPresentedAgainIsRefusedWithoutAQuery() throws Exception {
        String key = madeUpKey();
        assertThat(send(key)).isEqualTo(401);
        Map<String, Double> before = lookups();
        for (int i = 0; i < 20; i++) {
            assertThat(send(key)).isEqualTo(401);
        }
        Map<String, Double> after = lookups();
        assertThat(after.getOrDefault("queried", 0.0)).isEqualTo(before.getOrDefault("queried", 0.0));
        assertThat(after.get("refused-without-query") - before.getOrDefault("refused-without-query", 0.0))
                .isEqualTo(20);
        // A real key is not held up by any of it.
        String real = TestCredentials.createKey(URI.create(events.resolve("/").toString()), "made-up-keys", "ingest");
        assertThat(send(real)).isEqualTo(202);
    }

    private Map<Integer, AtomicInteger> sendWithMadeUpKeys(int count) throws Exception {
        Semaphore slots = new Semaphore(CONCURRENT);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        CompletableFuture<?>[] all = new CompletableFuture<?>[count];
        for (int i = 0; i < count; i++) {
            slots.acquire();
            all[i] = client.sendAsync(request(madeUpKey()), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, failure) -> {
                        slots.release();
                        int status = failure == null ? answer.statusCode() : -1;
                        statuses.computeIfAbsent(status, s -> new AtomicInteger())
                                .incrementAndGet();
                    });
        }
        CompletableFuture.allOf(all).join();
        return statuses;
    }

    private int send(String key) throws Exception {
        return client.send(request(key), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest request(String key) {
        return HttpRequest.newBuilder(events)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"specversion\":\"1.0\",\"id\":\"1\","
                        + "\"source\":\"/made-up-keys\",\"type\":\"made.up\"}"))
                .build();
    }

    /** A key of the right shape whose id nobody made: 64 random bits, as real ids are. */
    private String madeUpKey() {
        byte[] id = new byte[8];
        random.nextBytes(id);
        return "slk_" + HexFormat.of().formatHex(id) + "_" + "x".repeat(43);
    }

    private static Map<String, Double> lookups() {
        String text =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> counts = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LOOKUPS.matcher(line);
            if (m.matches()) {
                counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return counts;
    }
}
