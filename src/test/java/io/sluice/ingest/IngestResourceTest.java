package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sluice.config.SluiceConfig;
import io.sluice.record.EventHeaders;
import io.sluice.testing.TopicProbe;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every content mode lands in Kafka as the same structured event, keyed and with its headers. */
@QuarkusTest
class IngestResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Test
    void structuredEventIsAnsweredAfterTheAckWithItsPartitionAndOffset() throws Exception {
        ObjectNode event = event("sensor-7");
        Instant before = Instant.now();

        JsonPath answer = post("application/cloudevents+json", event.toString(), 202);

        assertThat(answer.getInt("accepted")).isEqualTo(1);
        assertThat(answer.getString("results[0].id")).isEqualTo(event.get("id").textValue());
        List<ConsumerRecord<String, byte[]>> records = topic.readSince(mark);
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.partition()).isEqualTo(answer.getInt("results[0].partition"));
        assertThat(record.offset()).isEqualTo(answer.getLong("results[0].offset"));
        assertThat(record.key()).isEqualTo("sensor-7");
        assertThat(JSON.readTree(record.value())).isEqualTo(event);
        assertThat(header(record, EventHeaders.TENANT)).isEqualTo("default");
        assertThat(Instant.parse(header(record, EventHeaders.ACCEPTED_AT))).isBetween(before, Instant.now());
    }

    @Test
    void batchKeepsTheOrderOfEventsWithTheSameKey() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            batch.append(i == 0 ? "" : ",").append(event("ordered").put("sequence", i));
        }
        batch.append(']');

        JsonPath answer = post("application/cloudevents-batch+json", batch.toString(), 202);

        assertThat(answer.getInt("accepted")).isEqualTo(50);
        List<ConsumerRecord<String, byte[]>> records = topic.readSince(mark);
        assertThat(records).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(JSON.readTree(records.get(i).value()).get("sequence").intValue())
                    .isEqualTo(i);
        }
    }

    @Test
    void binaryModeWithJsonDataBecomesAStructuredEvent() throws Exception {
        String id = UUID.randomUUID().toString();
        given().contentType("application/json")
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/plant/boiler")
                .header("ce-type", "reading")
                .header("ce-subject", "caf%C3%A9")
                .body("{\"temperature\":81.5}")
                .post("/v1/events")
                .then()
                .statusCode(202)
                .body("accepted", is(1));

        ConsumerRecord<String, byte[]> record = single();
        JsonNode stored = JSON.readTree(record.value());
        assertThat(record.key()).isEqualTo("café");
        assertThat(stored.get("id").textValue()).isEqualTo(id);
        assertThat(stored.get("subject").textValue()).isEqualTo("café");
        assertThat(stored.get("datacontenttype").textValue()).isEqualTo("application/json");
        assertThat(stored.get("data").get("temperature").doubleValue()).isEqualTo(81.5);
    }

    @Test
    void binaryModeWithOpaqueDataKeepsTheBytesAsBase64() throws Exception {
        byte[] data = {0, 1, (byte) 0xFF, 0x7F};
        given().contentType("application/octet-stream")
                .header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/camera/3")
                .header("ce-type", "frame")
                .body(data)
                .post("/v1/events")
                .then()
                .statusCode(202);

        JsonNode stored = JSON.readTree(single().value());
        assertThat(Base64.getDecoder().decode(stored.get("data_base64").textValue()))
                .isEqualTo(data);
        assertThat(stored.has("data")).isFalse();
    }

    @Test
    void plainJsonTakesOneEventOrAnArray() {
        post("application/json", event("plain").toString(), 202);
        post("application/json", "[" + event("plain") + "," + event("plain") + "]", 202);

        assertThat(topic.readSince(mark)).hasSize(3);
    }

    @Test
    void partitionKeyIsThePartitionkeyExtensionThenSubjectThenSource() {
        ObjectNode withExtension = event("subject-a").put("partitionkey", "explicit");
        ObjectNode withSubject = event("subject-b");
        ObjectNode sourceOnly = event(null);

        post(
                "application/cloudevents-batch+json",
                "[" + withExtension + "," + withSubject + "," + sourceOnly + "]",
                202);

        assertThat(topic.readSince(mark))
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(
                        "explicit", "subject-b", sourceOnly.get("source").textValue());
    }

    @Test
    void jsonNestedUpToTheLimitIsAccepted() {
        ObjectNode event = event("deep");
        // The event object is level 1 and data level 2: 30 more levels reach the limit of 32.
        event.set("data", nested(31));

        post("application/cloudevents+json", event.toString(), 202);
    }

    private static ObjectNode nested(int depth) {
        ObjectNode node = JSON.createObjectNode().put("leaf", true);
        for (int i = 1; i < depth; i++) {
            node = JSON.createObjectNode().set("n", node);
        }
        return node;
    }

    private ConsumerRecord<String, byte[]> single() {
        List<ConsumerRecord<String, byte[]>> records = topic.readSince(mark);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    static ObjectNode event(String subject) {
        ObjectNode event = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", UUID.randomUUID().toString())
                .put("source", "/tests/" + UUID.randomUUID())
                .put("type", "test.reading")
                .put("time", "2026-11-25T10:15:30.123Z");
        if (subject != null) {
            event.put("subject", subject);
        }
        event.putObject("data").put("value", 42);
        return event;
    }

    private static JsonPath post(String contentType, String body, int status) {
        return given().contentType(contentType)
                .body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/events")
                .then()
                .statusCode(status)
                .extract()
                .jsonPath();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
