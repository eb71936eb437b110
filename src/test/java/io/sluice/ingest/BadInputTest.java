package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TopicProbe;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of bad input gets its status as RFC 9457 problem+json, says nothing about
 * Sluice's insides, and writes nothing to Kafka: the records on the topic are counted.
 */
@QuarkusTest
class BadInputTest {

    private static final String VALID =
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/bad-input\",\"type\":\"t\",\"data\":{\"v\":1}}";
    private static final String STRUCTURED = "application/cloudevents+json";
    private static final String BATCH = "application/cloudevents-batch+json";

    @Inject
    SluiceConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private TopicProbe topic;
    private Map<TopicPartition, Long> mark;

    @BeforeEach
    void markTopic() {
        topic = new TopicProbe(bootstrapServers, config.topics().events());
        mark = topic.mark();
    }

    @AfterEach
    void closeProbe() {
        topic.close();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("truncated JSON", 400, STRUCTURED, "{\"specversion\":\"1.0\",\"id\":"),
                bad("not JSON at all", 400, STRUCTURED, "hello"),
                bad("two JSON values", 400, STRUCTURED, VALID + " " + VALID),
                bad("empty body", 400, STRUCTURED, ""),
                bad("invalid UTF-8", 400, STRUCTURED, bytes(VALID.replace("/bad-input", "/\u00e9"), 0xE9)),
                bad("overlong UTF-8 for '/'", 400, STRUCTURED, overlongSlash()),
                bad(
                        "duplicate keys",
                        400,
                        STRUCTURED,
                        VALID.replace("{\"specversion\"", "{\"id\":\"0\",\"specversion\"")),
                bad("nesting deeper than 32", 400, STRUCTURED, VALID.replace("{\"v\":1}", nested(33))),
                bad("number above double range", 400, STRUCTURED, VALID.replace("\"v\":1", "\"v\":1e400")),
                bad("number below double range", 400, STRUCTURED, VALID.replace("\"v\":1", "\"v\":-1e400")),
                bad(
                        "integer beyond double range",
                        400,
                        STRUCTURED,
                        VALID.replace("\"v\":1", "\"v\":1" + "0".repeat(400))),
                bad("array in structured mode", 400, STRUCTURED, "[" + VALID + "]"),
                bad("object in batch mode", 400, BATCH, VALID),
                bad("missing id", 422, STRUCTURED, VALID.replace("\"id\":\"1\",", "")),
                bad("missing source", 422, STRUCTURED, VALID.replace("\"source\":\"/bad-input\",", "")),
                bad("missing type", 422, STRUCTURED, VALID.replace("\"type\":\"t\",", "")),
                bad("missing specversion", 422, STRUCTURED, VALID.replace("\"specversion\":\"1.0\",", "")),
                bad("unsupported specversion", 422, STRUCTURED, VALID.replace("\"1.0\"", "\"0.3\"")),
                bad("id not a string", 422, STRUCTURED, VALID.replace("\"id\":\"1\"", "\"id\":1")),
                bad("empty id", 422, STRUCTURED, VALID.replace("\"id\":\"1\"", "\"id\":\"\"")),
                bad(
                        "id over 512 bytes (2-byte characters)",
                        422,
                        STRUCTURED,
                        VALID.replace("\"id\":\"1\"", "\"id\":\"" + "\u00e9".repeat(257) + "\"")),
                bad("source over 1024 bytes", 422, STRUCTURED, VALID.replace("/bad-input", "/" + "s".repeat(1024))),
                bad("lone surrogate escape in data", 422, STRUCTURED, VALID.replace("\"v\":1", "\"v\":\"a\\ud800b\"")),
                bad(
                        "reversed surrogate pair in data",
                        422,
                        STRUCTURED,
                        VALID.replace("\"v\":1", "\"v\":\"\\udc00\\ud800\"")),
                bad("NUL in data", 422, STRUCTURED, VALID.replace("\"v\":1", "\"v\":\"a\\u0000b\"")),
                bad("NUL in an attribute", 422, STRUCTURED, VALID.replace("\"id\":\"1\"", "\"id\":\"1\\u0000\"")),
                bad(
                        "time not RFC 3339",
                        422,
                        STRUCTURED,
                        VALID.replace("\"type\":\"t\"", "\"type\":\"t\",\"time\":\"yesterday\"")),
                bad(
                        "upper-case extension name",
                        422,
                        STRUCTURED,
                        VALID.replace("\"type\":\"t\"", "\"type\":\"t\",\"Region\":\"eu\"")),
                bad(
                        "object as extension value",
                        422,
                        STRUCTURED,
                        VALID.replace("\"type\":\"t\"", "\"type\":\"t\",\"region\":{}")),
                bad(
                        "data and data_base64",
                        422,
                        STRUCTURED,
                        VALID.replace("\"type\":\"t\"", "\"type\":\"t\",\"data_base64\":\"AA==\"")),
                bad(
                        "one invalid event in a batch",
                        422,
                        BATCH,
                        "[" + VALID + "," + VALID.replace("\"id\":\"1\",", "") + "," + VALID + "]"),
                bad("empty batch", 422, BATCH, "[]"),
                bad("text/plain", 415, "text/plain", VALID),
                bad("no content type", 415, null, VALID),
                bad("charset other than UTF-8", 415, STRUCTURED + "; charset=ISO-8859-1", VALID),
                bad(
                        "body over the limit",
                        413,
                        STRUCTURED,
                        VALID.replace("\"v\":1", "\"v\":\"" + "x".repeat(1 << 20) + "\"")),
                Arguments.of("more header fields than allowed", 431, (UnaryOperator<RequestSpecification>) request -> {
                    for (int i = 0; i < 101; i++) {
                        request.header("x-extra-" + i, "1");
                    }
                    return request.contentType(STRUCTURED).body(VALID);
                }));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badRequests")
    void isRefusedWithAProblemAndWritesNothing(String name, int status, UnaryOperator<RequestSpecification> request)
            throws InterruptedException {
        Response answer = request.apply(given()).post("/v1/events");

        assertThat(answer.statusCode()).as(name).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(answer.jsonPath().getString("type")).startsWith("urn:sluice:problem:");
        assertThat(answer.jsonPath().getString("title")).isNotBlank();
        assertThat(answer.jsonPath().getString("detail")).isNotBlank();
        assertThat(answer.asString())
                .as("no internals in the answer")
                .doesNotContain("Exception", "java.", "com.", "io.", "`", "\tat ");
        // A wrongly accepted event would be on the topic well within this time.
        Thread.sleep(300);
        assertThat(topic.countSince(mark)).as("records written").isZero();
    }

    private static Arguments bad(String name, int status, String contentType, String body) {
        return bad(name, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Arguments bad(String name, int status, String contentType, byte[] body) {
        UnaryOperator<RequestSpecification> request = spec -> {
            RequestSpecification withType = contentType == null ? spec.noContentType() : spec.contentType(contentType);
            return withType.body(body);
        };
        return Arguments.of(name, status, request);
    }

    /** The UTF-8 encoding of {@code text} with its first multi-byte sequence cut to {@code lone}. */
    private static byte[] bytes(String text, int lone) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            if (utf8[i] < 0) {
                byte[] broken = new byte[utf8.length - 1];
                System.arraycopy(utf8, 0, broken, 0, i);
                broken[i] = (byte) lone;
                System.arraycopy(utf8, i + 2, broken, i + 1, utf8.length - i - 2);
                return broken;
            }
        }
        throw new IllegalArgumentException("no multi-byte character in " + text);
    }

    /** "/" encoded in two bytes (C0 AF): decoders that accept it let path tricks through. */
    private static byte[] overlongSlash() {
        byte[] plain = VALID.getBytes(StandardCharsets.UTF_8);
        int slash = VALID.indexOf("/bad-input");
        byte[] overlong = new byte[plain.length + 1];
        System.arraycopy(plain, 0, overlong, 0, slash);
        overlong[slash] = (byte) 0xC0;
        overlong[slash + 1] = (byte) 0xAF;
        System.arraycopy(plain, slash + 1, overlong, slash + 2, plain.length - slash - 1);
        return overlong;
    }

    private static String nested(int depth) {
        // The event object is level 1; data and the objects nested under "n" take the rest.
        return "{\"n\":".repeat(depth - 1) + "1" + "}".repeat(depth - 1);
    }
}
