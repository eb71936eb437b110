package io.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credentials the tests use. Every application the tests start gets {@link #BOOTSTRAP} as
 * its bootstrap admin key (random per test JVM); with it the tests create real API keys
 * through {@code POST /v1/admin/keys}, as an operator would. Every credential handed out is
 * written to {@code target/credentials-used.txt}, so that {@code CredentialsNotLoggedIT} can
 * look for each of them in the logs of the whole suite.
 */
public final class TestCredentials {

    /** The tenant the tests' default key is bound to. */
    public static final String DEFAULT_TENANT = "default";

    public static final String BOOTSTRAP = "bootstrap-" + random(24);
    public static final Path USED = Path.of(System.getProperty("stack.project-dir", "."))
            .toAbsolutePath()
            .resolve("target/credentials-used.txt");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** One default key per application (scheme, host and port): created on first use. */
    private static final Map<String, String> DEFAULT_KEYS = new ConcurrentHashMap<>();

    static {
        used(BOOTSTRAP);
    }

    private TestCredentials() {}

    /** A key of {@link #DEFAULT_TENANT} with every scope, on the application RestAssured points at. */
    public static String defaultKey() {
        return defaultKey(appUri());
    }

    /** The application RestAssured points at. */
    public static URI appUri() {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port);
    }

    /** A key of {@link #DEFAULT_TENANT} with every scope, on the application at {@code app}. */
    public static String defaultKey(URI app) {
        String origin = app.getScheme() + "://" + app.getHost() + ":" + app.getPort();
        return DEFAULT_KEYS.computeIfAbsent(
                origin, ignored -> createKey(URI.create(origin), DEFAULT_TENANT, "ingest", "subscribe", "admin"));
    }

    /** Creates a key of {@code tenant} with {@code scopes} on the application at {@code app}, with the bootstrap key. */
    public static String createKey(URI app, String tenant, String... scopes) {
        return create(app, BOOTSTRAP, "{\"tenant\":\"" + tenant + "\",\"scopes\":" + json(scopes) + "}")
                .get("key")
                .asText();
    }

    /** Creates a key as {@code admin} with the request body {@code body}; the answer's JSON. */
    public static JsonNode create(URI app, String admin, String body) {
        try {
            HttpResponse<String> answer = HTTP.send(
                    HttpRequest.newBuilder(app.resolve("/v1/admin/keys"))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
                throw new IllegalStateException(
                        "creating a key answered " + answer.statusCode() + ": " + answer.body());
            }
            JsonNode created = JSON.readTree(answer.body());
            used(created.get("key").asText());
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Notes a credential a test sends, for the log check at the end of the suite. */
    public static synchronized void used(String credential) {
        try {
            Files.createDirectories(USED.getParent());
            Files.writeString(
                    USED,
                    credential + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(String... values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String random(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
