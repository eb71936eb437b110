package io.sluice.security;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestTokens;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The limit on refused credentials per client address, reached: {@link LimitsTest#FAILED_ATTEMPTS}
 * refused credentials of every kind, then the right bootstrap key gets 429 until the window ends
 * and works after it. Each test's requests come from an address of its own, forwarded by the
 * trusted proxy 127.0.0.1 in X-Forwarded-For as an Ingress would, so the refused credentials the
 * other tests send (from 127.0.0.1) do not count here, and this class's limit stops nobody else.
 */
@QuarkusTest
@TestProfile(LimitsTest.SmallLimits.class)
class FailedAuthLimitTest {

    private static final Pattern METRIC = Pattern.compile(
            "^sluice_security_failed_auth_(total\\{[^}]*outcome=\"([a-z-]+)\"[^}]*}|addresses(?:\\{[^}]*})?) ([0-9.eE+]+)$");

    @TestHTTPResource("/")
    URI app;

    private final SecureRandom random = new SecureRandom();
    private final String tenant = "failed-auth-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void pastTheLimitTheRightBootstrapKeyGets429UntilTheWindowEnds() throws Exception {
        String attacker = "203.0.113.1";
        Map<String, Double> before = metrics();
        long started = System.nanoTime();
        Map<String, Function<RequestSpecification, Response>> refused = new LinkedHashMap<>();
        refused.put("a made-up API key", as("Bearer " + madeUpKey()));
        refused.put("a guess at the bootstrap key", as("Bearer " + guess()));
        refused.put("a JWT with a bad signature", as("Bearer " + TestTokens.badSignature("mallory", tenant, "admin")));
        refused.put("an expired JWT", as("Bearer " + TestTokens.expired("mallory", tenant, "admin")));
        refused.put(
                "a made-up stream ticket",
                request -> request.accept("text/event-stream").get("/v1/alerts/stream?ticket=" + UUID.randomUUID()));
        assertThat(refused).hasSize(LimitsTest.FAILED_ATTEMPTS);
        refused.forEach((what, send) ->
                assertThat(send.apply(from(attacker)).statusCode()).as(what).isEqualTo(401));

        Response past = keys(from(attacker).header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP));
        double elapsed = (System.nanoTime() - started) / 1e9;
        assertThat(past.statusCode())
                .as(
                        "the right bootstrap key after %d refused credentials (%.1f s)",
                        LimitsTest.FAILED_ATTEMPTS, elapsed)
                .isEqualTo(429);
        assertThat(past.contentType()).startsWith("application/problem+json");
        assertThat(past.jsonPath().getString("type")).isEqualTo("urn:sluice:problem:too-many-requests");
        int retryAfter = Integer.parseInt(past.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, (int) LimitsTest.FAILED_WINDOW.toSeconds());
        // Refused before any mechanism looks at it: a good JWT as well as the bootstrap key.
        assertThat(from(attacker)
                        .header("Authorization", "Bearer " + TestTokens.token("alice", tenant, "subscribe"))
                        .get("/v1/alerts")
                        .statusCode())
                .as("a valid JWT from the same address")
                .isEqualTo(429);
        assertThat(keys(from("203.0.113.2").header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP))
                        .statusCode())
                .as("the right bootstrap key from another address")
                .isEqualTo(200);
        Map<String, Double> during = metrics();
        assertThat(delta(before, during, "counted")).isEqualTo(LimitsTest.FAILED_ATTEMPTS);
        assertThat(delta(before, during, "refused-unchecked")).isEqualTo(2);

        Thread.sleep(retryAfter * 1000L + 100);
        assertThat(keys(from(attacker).header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP))
                        .statusCode())
                .as("the right bootstrap key once the window is over")
                .isEqualTo(200);
    }

    @Test
    void successfulRequestsAreNotCountedAndLeaveNoTrace() {
        String client = "203.0.113.3";
        String key = TestCredentials.createKey(app, tenant, "subscribe");
        Map<String, Double> before = metrics();
        // More successes than the limit (within the key's own rate limit of LimitsTest.REQUESTS).
        for (int i = 0; i < LimitsTest.FAILED_ATTEMPTS + 2; i++) {
            from(client)
                    .header("Authorization", "Bearer " + key)
                    .get("/v1/alerts")
                    .then()
                    .statusCode(200);
        }
        Map<String, Double> after = metrics();
        assertThat(after.get("addresses"))
                .as("addresses remembered: none for one that only succeeded")
                .isEqualTo(before.get("addresses"));
        assertThat(delta(before, after, "counted")).isZero();

        for (int i = 0; i < LimitsTest.FAILED_ATTEMPTS - 1; i++) {
            from(client)
                    .header("Authorization", "Bearer " + guess())
                    .get("/v1/alerts")
                    .then()
                    .statusCode(401);
        }
        from(client)
                .header("Authorization", "Bearer " + key)
                .get("/v1/alerts")
                .then()
                .statusCode(200);
        assertThat(delta(before, metrics(), "counted")).isEqualTo(LimitsTest.FAILED_ATTEMPTS - 1);
    }

    private static RequestSpecification from(String address) {
        return anonymous().header("X-Forwarded-For", address);
    }

    private Function<RequestSpecification, Response> as(String authorization) {
        return request -> keys(request.header("Authorization", authorization));
    }

    private Response keys(RequestSpecification request) {
        return request.get("/v1/admin/keys?tenant=" + tenant);
    }

    /** A key of the right shape whose id nobody made. */
    private String madeUpKey() {
        byte[] id = new byte[8];
        random.nextBytes(id);
        return "slk_" + HexFormat.of().formatHex(id) + "_" + "x".repeat(43);
    }

    /** What a guess at the bootstrap key looks like: 256 random bits, neither a key nor a JWT. */
    private String guess() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String outcome) {
        return after.getOrDefault(outcome, 0.0) - before.getOrDefault(outcome, 0.0);
    }

    /** The limiter's counters by outcome, and "addresses": how many it remembers. */
    private static Map<String, Double> metrics() {
        String text =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = METRIC.matcher(line);
            if (m.matches()) {
                values.merge(
                        m.group(2) == null ? "addresses" : m.group(2), Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return values;
    }
}
