package io.sluice.security;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestTokens;
import io.sluice.testing.TopicProbe;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad credential gets 401 (as a problem, with a Bearer challenge) on ingest,
 * the stream and the admin API, and a refused ingest writes nothing to Kafka; a good
 * credential without the scope gets 403; keys and JWTs with the scope get in.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticationTest {

    private static final String EVENT = "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/authentication-test\","
            + "\"type\":\"auth.test\",\"data\":{\"v\":1}}";

    @TestHTTPResource("/")
    URI app;

    @Inject
    SluiceConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final String tenant = "auth-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> bad = new LinkedHashMap<>();

    private static final List<String> BAD = List.of(
            "no credentials",
            "a random key",
            "a key with a wrong secret",
            "not a token at all",
            "a Basic header",
            "a revoked key",
            "an expired key",
            "an expired JWT",
            "a JWT with a bad signature",
            "an unsigned JWT (alg none)",
            "a JWT without a tenant",
            "a JWT for another audience",
            "a JWT from another issuer",
            "a JWT whose tenant is not a tenant name");

    static Stream<Arguments> badCredentialsOnEveryEndpoint() {
        return Stream.of("ingest", "stream", "admin")
                .flatMap(endpoint -> BAD.stream().map(what -> Arguments.of(endpoint, what)));
    }

    /** The Authorization header for each bad credential, made on first use: an expired key needs time to expire. */
    private synchronized String authorization(String what) throws InterruptedException {
        if (bad.isEmpty()) {
            bad.put("no credentials", null);
            bad.put("a random key", "Bearer slk_0123456789abcdef_" + UUID.randomUUID());
            String wrongSecret = TestCredentials.createKey(app, tenant, "ingest", "subscribe", "admin")
                    .replaceAll("_[^_]+$", "_" + "x".repeat(43));
            bad.put("a key with a wrong secret", "Bearer " + wrongSecret);
            bad.put("not a token at all", "Bearer hello");
            bad.put("a Basic header", "Basic dXNlcjpwYXNz");
            String revoked = TestCredentials.createKey(app, tenant, "ingest", "subscribe", "admin");
            anonymous()
                    .header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP)
                    .delete("/v1/admin/keys/" + idOf(revoked))
                    .then()
                    .statusCode(204);
            bad.put("a revoked key", "Bearer " + revoked);
            Instant expiry = Instant.now().plusSeconds(2);
            String expiring = TestCredentials.create(
                            app,
                            TestCredentials.BOOTSTRAP,
                            "{\"tenant\":\"" + tenant + "\",\"scopes\":[\"ingest\",\"subscribe\",\"admin\"],"
                                    + "\"expiresAt\":\"" + expiry + "\"}")
                    .get("key")
                    .asText();
            bad.put("an expired key", "Bearer " + expiring);
            String scopes = "ingest subscribe admin";
            bad.put("an expired JWT", "Bearer " + TestTokens.expired("alice", tenant, scopes));
            bad.put("a JWT with a bad signature", "Bearer " + TestTokens.badSignature("alice", tenant, scopes));
            bad.put("an unsigned JWT (alg none)", "Bearer " + TestTokens.unsigned("alice", tenant, scopes));
            bad.put("a JWT without a tenant", "Bearer " + TestTokens.withoutTenant("alice", scopes));
            bad.put("a JWT for another audience", "Bearer " + TestTokens.forAnotherAudience("alice", tenant, scopes));
            bad.put("a JWT from another issuer", "Bearer " + TestTokens.fromAnotherIssuer("alice", tenant, scopes));
            bad.put(
                    "a JWT whose tenant is not a tenant name",
                    "Bearer " + TestTokens.token("alice", "acme/../" + tenant, scopes));
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis() + 200));
        }
        return bad.get(what);
    }

    @ParameterizedTest(name = "{0}, {1}: 401")
    @MethodSource("badCredentialsOnEveryEndpoint")
    void badCredentialsAreRefusedWith401(String endpoint, String what) throws Exception {
        String authorization = authorization(what);
        TopicProbe topic = new TopicProbe(bootstrapServers, config.topics().events());
        Map<TopicPartition, Long> mark = topic.mark();
        try {
            Response answer = request(endpoint, authorization);
            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(401);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
            answer.then().body("type", equalTo("urn:sluice:problem:unauthorized"));
            if (authorization != null) {
                assertThat(answer.asString()).doesNotContain(authorization.substring(authorization.indexOf(' ') + 1));
            }
            if (endpoint.equals("ingest")) {
                assertThat(topic.countSince(mark)).as("records written").isZero();
            }
        } finally {
            topic.close();
        }
    }

    @Test
    void aKeyWithoutTheScopeGets403() {
        String ingestOnly = TestCredentials.createKey(app, tenant, "ingest");
        String subscribeOnly = TestCredentials.createKey(app, tenant, "subscribe");
        String adminOnly = TestCredentials.createKey(app, tenant, "admin");
        assertForbidden(request("stream", "Bearer " + ingestOnly));
        assertForbidden(request("admin", "Bearer " + ingestOnly));
        assertForbidden(request("ingest", "Bearer " + subscribeOnly));
        assertForbidden(request("admin", "Bearer " + subscribeOnly));
        assertForbidden(request("ingest", "Bearer " + adminOnly));
        assertForbidden(request("ingest", "Bearer " + TestCredentials.BOOTSTRAP));
        // A JWT's scopes count the same way.
        assertForbidden(request("ingest", "Bearer " + TestTokens.token("bob", tenant, "subscribe")));
    }

    @Test
    void keysAndTokensWithTheScopeGetIn() {
        String key = TestCredentials.createKey(app, tenant, "ingest");
        request("ingest", "Bearer " + key).then().statusCode(202);
        request("ingest", "Bearer " + TestTokens.token("carol", tenant, "ingest"))
                .then()
                .statusCode(202);
        anonymous()
                .header("Authorization", "Bearer " + TestTokens.token("carol", tenant, "subscribe"))
                .get("/v1/alerts")
                .then()
                .statusCode(200);
        anonymous()
                .header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP)
                .get("/v1/admin/keys?tenant=" + tenant)
                .then()
                .statusCode(200);
    }

    @Test
    void healthMetricsAndTheApiDescriptionNeedNoCredentials() {
        // Health and metrics on the management interface (ManagementInterfaceTest), the API's description on the API's
        // port.
        management().get("/q/health/live").then().statusCode(200);
        management().get("/q/metrics").then().statusCode(200);
        // It holds no secret, and client generators fetch it without credentials.
        anonymous().get("/q/openapi").then().statusCode(200);
    }

    private Response request(String endpoint, String authorization) {
        var request = anonymous();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        return switch (endpoint) {
            case "ingest" ->
                request.contentType("application/cloudevents+json")
                        .body(String.format(EVENT, UUID.randomUUID()))
                        .post("/v1/events");
            case "stream" -> request.accept("text/event-stream").get("/v1/alerts/stream");
            case "admin" ->
                request.contentType("application/json")
                        .body("{\"tenant\":\"" + tenant + "\",\"scopes\":[\"ingest\"]}")
                        .post("/v1/admin/keys");
            default -> throw new IllegalArgumentException(endpoint);
        };
    }

    private static void assertForbidden(Response answer) {
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(403);
        answer.then().body("type", equalTo("urn:sluice:problem:forbidden"));
    }

    private static String idOf(String key) {
        return key.substring("slk_".length(), key.indexOf('_', "slk_".length()));
    }
}
