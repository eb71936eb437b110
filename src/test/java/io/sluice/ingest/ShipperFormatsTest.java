package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TopicProbe;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What log and event shippers send and ask for: gzip'd batches, one event per line (NDJSON),
 * gzip'd answers; end to end against the real broker and database.
 */
@QuarkusTest
class ShipperFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NDJSON = "application/x-ndjson";

    @Inject
    SluiceConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @TestHTTPResource("/v1/events")
    URI ingest;

    private TopicProbe topic;
    private Map<TopicPartition, Long> mark;
    private final String source = "/shippers/" + UUID.randomUUID();

    @BeforeEach
    void markTopic() {
        topic = new TopicProbe(bootstrapServers, config.topics().events());
        mark = topic.mark();
    }

    @AfterEach
    void closeProbe() {
        topic.close();
    }

    @Test
    void aGzippedBatchOfAThousandEventsIsAcceptedAndStoredOnceEach() throws Exception {
        ArrayNode batch = JSON.createArrayNode();
        for (int i = 0; i < 1000; i++) {
            batch.add(event("gz-" + i));
        }
        byte[] gzipped = ContentEncodingTest.gzip(batch.toString().getBytes(StandardCharsets.UTF_8));

        JsonPath answer = given().contentType("application/cloudevents-batch+json")
                .header("Content-Encoding", "gzip")
                .body(gzipped)
                .post("/v1/events")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();

        assertThat(answer.getInt("accepted")).isEqualTo(1000);
        assertThat(topic.countSince(mark)).isEqualTo(1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows() == 1000);
    }

    @Test
    void aDecompressionBombIs413WithNothingSent() throws Exception {
        byte[] bomb = ContentEncodingTest.gzipZeros(256L << 20);

        for (int attempt = 0; attempt < 10; attempt++) {
            Response answer = given().contentType("application/cloudevents-batch+json")
                    .header("Content-Encoding", "gzip")
                    .body(bomb)
                    .post("/v1/events");
            assertThat(answer.statusCode()).isEqualTo(413);
            assertThat(answer.contentType()).isEqualTo("application/problem+json");
            assertThat(answer.jsonPath().getString("detail")).contains("once decoded");
        }

        assertThat(topic.countSince(mark)).isZero();
    }

    @Test
    void anEncodingOtherThanGzipDeflateOrIdentityIs415() {
        Response answer = given().contentType("application/cloudevents+json")
                .header("Content-Encoding", "br")
                .body(event("br").toString())
                .post("/v1/events");

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.jsonPath().getString("detail")).contains("gzip, deflate, identity");
        assertThat(topic.countSince(mark)).isZero();
    }

    @Test
    void onlyTheIngestEndpointDecodesACompressedBody() throws Exception {
        Response answer = given().contentType("application/json")
                .header("Content-Encoding", "gzip")
                .body(ContentEncodingTest.gzip(utf8("{\"name\":\"x\"}")))
                .post("/v1/rules");

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.jsonPath().getString("detail")).endsWith("send one of identity.");
    }

    @Test
    void anNdjsonBatchWithOneBadLineIs207NamingThatLine() throws Exception {
        String body = event("line-1") + "\n" + event("line-2") + "\r\n" + "{\"id\": oops}\n" + event("line-4") + "\n"
                + event("line-5").without("id") + "\n" + event("line-6") + "\n\n";

        Response answer = given().contentType(NDJSON).body(utf8(body)).post("/v1/events");

        assertThat(answer.statusCode()).isEqualTo(207);
        assertThat(answer.header("Retry-After"))
                .as("a refused line is not worth retrying")
                .isNull();
        JsonPath results = answer.jsonPath();
        assertThat(results.getInt("accepted")).isEqualTo(4);
        assertThat(results.getList("results.line", Integer.class)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(results.getList("results.status", Integer.class)).containsExactly(202, 202, 400, 202, 422, 202);
        assertThat(results.getString("results[2].detail")).startsWith("Line 3: The line is not well-formed JSON");
        assertThat(results.getString("results[4].detail"))
                .isEqualTo("Line 5: not a valid CloudEvent: /id: required attribute is missing.");
        assertThat(topic.countSince(mark)).isEqualTo(4);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows() == 4);
    }

    @Test
    void anNdjsonBodyWithoutOneGoodLineIsRefusedWhole() {
        Response answer = given().contentType("application/jsonl")
                .body(utf8("[1]\n\n" + event("x").without("type") + "\n"))
                .post("/v1/events");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.jsonPath().getList("results.line", Integer.class)).containsExactly(1, 2, 3);
        assertThat(answer.jsonPath().getString("results[1].detail")).isEqualTo("Line 2: The line is empty.");
        assertThat(topic.countSince(mark)).isZero();
    }

    @Test
    void aGzippedNdjsonStreamIsOneRequest() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append(event("gz-line-" + i)).append('\n');
        }

        given().contentType(NDJSON)
                .header("Content-Encoding", "gzip")
                .body(ContentEncodingTest.gzip(lines.toString().getBytes(StandardCharsets.UTF_8)))
                .post("/v1/events")
                .then()
                .statusCode(202);

        assertThat(topic.countSince(mark)).isEqualTo(100);
    }

    @Test
    void theAnswerIsGzippedWhenTheClientAsks() throws Exception {
        HttpResponse<byte[]> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(ingest)
                                .header("Authorization", "Bearer " + TestCredentials.defaultKey())
                                .header("Content-Type", "application/cloudevents+json")
                                .header("Accept-Encoding", "gzip")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        event("asks-gzip").toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (var body = new GZIPInputStream(new ByteArrayInputStream(answer.body()))) {
            assertThat(JSON.readTree(body).path("accepted").intValue()).isEqualTo(1);
        }
    }

    private ObjectNode event(String id) {
        ObjectNode event = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", id)
                .put("source", source)
                .put("type", "shipper.line");
        event.putObject("data").put("message", "hello " + id);
        return event;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private long rows() throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE source = ?", source);
    }
}
