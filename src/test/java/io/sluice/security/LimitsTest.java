package io.sluice.security;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The per-key request rate, the stream caps and the stream tickets, with limits small enough to
 * reach. Its profile is FailedAuthLimitTest's too (one application start for both).
 */
@QuarkusTest
@TestProfile(LimitsTest.SmallLimits.class)
class LimitsTest {

    static final int REQUESTS = 8;
    static final Duration WINDOW = Duration.ofSeconds(10);
    /** Long enough for a loaded machine to redeem a ticket in time, short enough to wait out. */
    static final Duration TICKET_TTL = Duration.ofSeconds(5);
    /**
     * Refused credentials per address and window (FailedAuthLimitTest). The tests here send at
     * most three, from 127.0.0.1; FailedAuthLimitTest's come from addresses of their own.
     */
    static final int FAILED_ATTEMPTS = 5;

    static final Duration FAILED_WINDOW = Duration.ofSeconds(5);

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.security.rate-limit.requests", Integer.toString(REQUESTS)),
                    Map.entry("sluice.security.rate-limit.window", WINDOW.toSeconds() + "s"),
                    Map.entry("sluice.security.streams.per-key", "2"),
                    Map.entry("sluice.security.streams.total", "3"),
                    Map.entry("sluice.security.tickets.ttl", TICKET_TTL.toSeconds() + "s"),
                    Map.entry("sluice.security.failed-auth.attempts", Integer.toString(FAILED_ATTEMPTS)),
                    Map.entry("sluice.security.failed-auth.window", FAILED_WINDOW.toSeconds() + "s"),
                    // As behind an Ingress: the test client (127.0.0.1) is the trusted proxy, and
                    // X-Forwarded-For names the client address a request is counted under.
                    Map.entry("quarkus.http.proxy.proxy-address-forwarding", "true"),
                    Map.entry("quarkus.http.proxy.allow-x-forwarded", "true"),
                    Map.entry("quarkus.http.proxy.trusted-proxies", "127.0.0.0/8,::1/128"));
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI app;

    private final String tenant = "limits-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void requestNPlusOneInsideTheWindowGets429WithRetryAfter() throws Exception {
        String key = TestCredentials.createKey(app, tenant, "subscribe");
        // All N + 1 requests must fall into one window: start early in one.
        long intoWindow = System.currentTimeMillis() % WINDOW.toMillis();
        if (intoWindow > WINDOW.toMillis() / 2) {
            Thread.sleep(WINDOW.toMillis() - intoWindow + 50);
        }
        for (int i = 0; i < REQUESTS; i++) {
            as(key).get("/v1/alerts").then().statusCode(200);
        }
        Response refused = as(key).get("/v1/alerts");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, (int) WINDOW.toSeconds());
        // Another key has a budget of its own.
        as(TestCredentials.createKey(app, tenant, "subscribe"))
                .get("/v1/alerts")
                .then()
                .statusCode(200);
        // The next window admits the key again.
        Thread.sleep(Integer.parseInt(refused.header("Retry-After")) * 1000L + 100);
        as(key).get("/v1/alerts").then().statusCode(200);
    }

    @Test
    void streamsBeyondTheCapsGet429() throws Exception {
        String first = TestCredentials.createKey(app, tenant, "subscribe");
        String second = TestCredentials.createKey(app, tenant, "subscribe");
        URI stream = app.resolve("/v1/alerts/stream");
        List<SseClient> open = new ArrayList<>();
        try {
            open.add(new SseClient(stream, null, first));
            open.add(new SseClient(stream, null, first));
            assertThat(streamStatus(first)).as("a third stream of one key").isEqualTo(429);
            open.add(new SseClient(stream, null, second));
            assertThat(streamStatus(second)).as("a fourth stream in all").isEqualTo(429);
            // A closed stream gives its place back (found on its next heartbeat at the latest).
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    open.add(new SseClient(stream, null, second));
                    return true;
                } catch (IllegalStateException stillFull) {
                    return false;
                }
            });
        } finally {
            for (SseClient client : open) {
                client.close();
            }
        }
    }

    @Test
    void aStreamTicketOpensOneStreamOnceAndNothingElse() throws Exception {
        String key = TestCredentials.createKey(app, tenant, "subscribe");
        String ticket = ticket(key);
        try (SseClient browser = new SseClient(app.resolve("/v1/alerts/stream?ticket=" + ticket), null, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.retry() != null);
        }
        assertThat(streamStatus("?ticket=" + ticket, null))
                .as("the same ticket again")
                .isEqualTo(401);

        String late = ticket(key);
        Thread.sleep(TICKET_TTL.toMillis() + 1_000);
        assertThat(streamStatus("?ticket=" + late, null))
                .as("an expired ticket")
                .isEqualTo(401);

        String elsewhere = ticket(key);
        anonymous()
                .contentType("application/cloudevents+json")
                .body("{}")
                .post("/v1/events?ticket=" + elsewhere)
                .then()
                .statusCode(401);
        anonymous().get("/v1/alerts?ticket=" + elsewhere).then().statusCode(401);
        assertThat(streamStatus("?ticket=" + UUID.randomUUID(), null))
                .as("a made-up ticket")
                .isEqualTo(401);
    }

    private String ticket(String key) {
        String ticket = as(key).post("/v1/alerts/stream/tickets")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("ticket");
        TestCredentials.used(ticket);
        return ticket;
    }

    private int streamStatus(String key) throws Exception {
        return streamStatus("", key);
    }

    /** The status a stream request gets; a stream that does open is closed again at once. */
    private int streamStatus(String query, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.resolve("/v1/alerts/stream" + query))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<InputStream> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        answer.body().close();
        return answer.statusCode();
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
