package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.vertx.VertxMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TopicProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real CloudEvents clients on both sides: the SDK's HTTP writer posts (structured and binary
 * mode), shippers' formats post batches, and the SDK's Kafka deserializer reads every record
 * of the events topic back as the CloudEvent that was posted.
 */
@QuarkusTest
class CloudEventsClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat FORMAT = new JsonFormat();

    @Inject
    SluiceConfig config;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @TestHTTPResource("/v1/events")
    URL ingest;

    private TopicProbe topic;
    private Map<TopicPartition, Long> mark;
    private WebClient client;

    @BeforeEach
    void setUp() {
        topic = new TopicProbe(bootstrapServers, config.topics().events());
        mark = topic.mark();
        client = WebClient.create(vertx);
    }

    @AfterEach
    void tearDown() {
        client.close();
        topic.close();
    }

    @Test
    void everyRecordReadsBackAsTheCloudEventThatWasPosted() throws Exception {
        List<CloudEvent> posted = new ArrayList<>();

        CloudEvent structured = jsonEvent("structured")
                .withExtension("attempt", 3)
                .withExtension("urgent", true)
                .build();
        assertThat(answer(sdkWriter().writeStructured(structured, FORMAT))).isEqualTo("202");
        posted.add(structured);

        // Binary mode carries extensions in headers, where every value is a string.
        CloudEvent binaryJson = jsonEvent("binary-json")
                .withExtension("partitionkey", "boiler-7")
                .build();
        assertThat(answer(sdkWriter().writeBinary(binaryJson))).isEqualTo("202");
        posted.add(binaryJson);

        CloudEvent binaryOpaque = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create("/camera/3"))
                .withType("frame")
                .withTime(OffsetDateTime.parse("2026-11-25T10:15:30.123Z"))
                .withData("application/octet-stream", new byte[] {0, 1, (byte) 0xFF, 0x7F})
                .withExtension("lens", "wide")
                .build();
        assertThat(answer(sdkWriter().writeBinary(binaryOpaque))).isEqualTo("202");
        posted.add(binaryOpaque);

        List<CloudEvent> batch = events("batch", 3);
        post("application/cloudevents-batch+json", null, array(batch));
        posted.addAll(batch);

        List<CloudEvent> lines = events("ndjson", 3);
        post("application/x-ndjson", null, ndjson(lines));
        posted.addAll(lines);

        List<CloudEvent> gzipped = events("gzip", 3);
        post("application/cloudevents-batch+json", "gzip", ContentEncodingTest.gzip(array(gzipped)));
        posted.addAll(gzipped);

        Map<String, CloudEvent> byId = new HashMap<>();
        posted.forEach(event -> byId.put(event.getId(), event));
        List<ConsumerRecord<String, byte[]>> records = topic.readSince(mark);
        assertThat(records).hasSize(posted.size());
        try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
            for (ConsumerRecord<String, byte[]> record : records) {
                CloudEvent read = deserializer.deserialize(record.topic(), record.headers(), record.value());
                assertSameEvent(read, byId.remove(read.getId()));
            }
        }
        assertThat(byId).as("posted events not read back").isEmpty();
    }

    private static CloudEventBuilder jsonEvent(String kind) {
        return CloudEventBuilder.v1()
                .withId(kind + "-" + UUID.randomUUID())
                .withSource(URI.create("/plant/boiler"))
                .withType("reading")
                .withSubject("café")
                .withTime(OffsetDateTime.parse("2026-11-25T10:15:30.123Z"))
                .withData("application/json", "{\"temperature\":81.5,\"unit\":\"C\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static List<CloudEvent> events(String kind, int count) {
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(jsonEvent(kind).withExtension("sequence", i).build());
        }
        return events;
    }

    private static byte[] array(List<CloudEvent> events) {
        StringBuilder array = new StringBuilder("[");
        for (CloudEvent event : events) {
            array.append(array.length() == 1 ? "" : ",")
                    .append(new String(FORMAT.serialize(event), StandardCharsets.UTF_8));
        }
        return array.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ndjson(List<CloudEvent> events) {
        StringBuilder lines = new StringBuilder();
        for (CloudEvent event : events) {
            lines.append(new String(FORMAT.serialize(event), StandardCharsets.UTF_8))
                    .append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void post(String contentType, String encoding, byte[] body) {
        var request = given().contentType(contentType).body(body);
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        request.post("/v1/events").then().statusCode(202);
    }

    private io.cloudevents.core.message.MessageWriter<
                    io.cloudevents.rw.CloudEventWriter<Future<HttpResponse<Buffer>>>, Future<HttpResponse<Buffer>>>
            sdkWriter() {
        HttpRequest<Buffer> request =
                client.postAbs(ingest.toString()).putHeader("Authorization", "Bearer " + TestCredentials.defaultKey());
        return VertxMessageFactory.createWriter(request);
    }

    /** The status of the answer, with its body when it is not 202. */
    private static String answer(Future<HttpResponse<Buffer>> response) throws Exception {
        HttpResponse<Buffer> answer =
                response.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return answer.statusCode() == 202 ? "202" : answer.statusCode() + " " + answer.bodyAsString();
    }

    /** Same attributes, same extensions, same data: JSON data compared as JSON, other data as bytes. */
    private static void assertSameEvent(CloudEvent read, CloudEvent posted) throws IOException {
        assertThat(posted).as("a record no test posted: " + read.getId()).isNotNull();
        assertThat(read.getSpecVersion()).isEqualTo(posted.getSpecVersion());
        assertThat(read.getSource()).isEqualTo(posted.getSource());
        assertThat(read.getType()).isEqualTo(posted.getType());
        assertThat(read.getSubject()).isEqualTo(posted.getSubject());
        assertThat(read.getTime()).isEqualTo(posted.getTime());
        assertThat(read.getDataContentType()).isEqualTo(posted.getDataContentType());
        assertThat(read.getExtensionNames()).isEqualTo(posted.getExtensionNames());
        for (String name : posted.getExtensionNames()) {
            assertThat(read.getExtension(name)).as(name).isEqualTo(posted.getExtension(name));
        }
        byte[] readData = read.getData().toBytes();
        byte[] postedData = posted.getData().toBytes();
        if (posted.getDataContentType().endsWith("json")) {
            assertThat(JSON.readTree(readData)).isEqualTo(JSON.readTree(postedData));
        } else {
            assertThat(readData).isEqualTo(postedData);
        }
    }
}
