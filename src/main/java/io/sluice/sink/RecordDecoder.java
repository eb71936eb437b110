package io.sluice.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.CloudEventRules;
import io.sluice.event.Violation;
import io.sluice.ingest.EventPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns a record of the events topic back into a row. Ingest validated it, but the topic is
 * also written by redrives and by anyone with produce rights: a record that is not a valid
 * event with its tenant and acceptance time is poison, and goes to the dead-letter topic.
 */
final class RecordDecoder {

    /** Attributes with their own column; the rest go to {@code attributes}. */
    private static final Set<String> COLUMNS =
            Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data", "data_base64");

    private final ObjectMapper json;
    /*
     * A reader and a writer bound to JsonNode once: the mapper's own readTree and
     * writeValueAsString look the type and its serializer up again on every call, which showed
     * in the sink's profile.
     */
    private final ObjectReader reader;
    private final ObjectWriter writer;

    RecordDecoder(ObjectMapper json) {
        this.json = json;
        this.reader = json.readerFor(JsonNode.class);
        this.writer = json.writerFor(JsonNode.class);
    }

    /** The row, or the reason the record is poison. */
    sealed interface Decoded permits Row, Poison {}

    record Row(EventRow row) implements Decoded {}

    record Poison(String reason) implements Decoded {}

    Decoded decode(ConsumerRecord<String, byte[]> record) {
        String tenant = header(record, EventPublisher.TENANT_HEADER);
        if (tenant == null || tenant.isEmpty()) {
            return new Poison("the record has no " + EventPublisher.TENANT_HEADER + " header");
        }
        Instant acceptedAt;
        try {
            String value = header(record, EventPublisher.ACCEPTED_AT_HEADER);
            if (value == null) {
                return new Poison("the record has no " + EventPublisher.ACCEPTED_AT_HEADER + " header");
            }
            acceptedAt = AcceptedAt.parse(value);
        } catch (DateTimeParseException e) {
            return new Poison("the " + EventPublisher.ACCEPTED_AT_HEADER + " header is not an ISO-8601 instant");
        }
        if (record.value() == null) {
            return new Poison("the record has no value");
        }
        JsonNode event;
        try {
            event = reader.readTree(record.value());
        } catch (IOException e) {
            return new Poison("the value is not JSON");
        }
        List<Violation> violations = CloudEventRules.check(0, event);
        if (!violations.isEmpty()) {
            Violation first = violations.get(0);
            return new Poison("the value is not a valid CloudEvent: " + first.pointer() + " " + first.detail());
        }
        return new Row(row(tenant, acceptedAt, (ObjectNode) event, record));
    }

    private EventRow row(String tenant, Instant acceptedAt, ObjectNode event, ConsumerRecord<String, byte[]> record) {
        ObjectNode attributes = json.createObjectNode();
        event.fields().forEachRemaining(field -> {
            if (!COLUMNS.contains(field.getKey()) && !field.getValue().isNull()) {
                attributes.set(field.getKey(), field.getValue());
            }
        });
        String time = text(event, "time");
        return new EventRow(
                tenant,
                text(event, "source"),
                text(event, "id"),
                text(event, "type"),
                text(event, "subject"),
                time == null ? null : CloudEventRules.parseTime(time),
                text(event, "datacontenttype"),
                event.hasNonNull("data") ? write(event.get("data")) : null,
                text(event, "data_base64"),
                attributes.isEmpty() ? "{}" : write(attributes),
                record.partition(),
                record.offset(),
                acceptedAt);
    }

    private String write(JsonNode node) {
        try {
            return writer.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON value could not be written back", e);
        }
    }

    private static String text(JsonNode event, String name) {
        JsonNode value = event.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
