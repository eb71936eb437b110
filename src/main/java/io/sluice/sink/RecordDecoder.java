package io.sluice.sink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.event.CloudEventRules;
import io.sluice.event.ScalarNodes;
import io.sluice.event.Utf8;
import io.sluice.event.Violation;
import io.sluice.record.EventHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a record of the events topic back into a row. Ingest validated it, but the topic is
 * also written by redrives and by anyone with produce rights: a record that is not a valid
 * event with its tenant and acceptance time is poison, and goes to the dead-letter topic.
 *
 * <p>Most records take a short way: the event's attributes are read into a small tree and
 * checked by the CloudEvents rules, while its {@code data} is only tokenized (which checks it
 * is well-formed JSON) and stored as the very bytes it came in. Reading every event into a
 * tree and writing {@code data} back as text took about a quarter of the sink's own CPU, for a
 * text PostgreSQL parses again anyway. The short way is taken only when nothing in {@code data} can break a rule that
 * needs its strings: the value is strict UTF-8 and holds no {@code \}{@code u} escape, the only
 * way JSON can spell a NUL or a lone surrogate. Every other record, and any shape the short
 * way does not expect, is read into a whole tree and checked there, as before.
 */
final class RecordDecoder {

    /** Attributes with their own column; the rest go to {@code attributes}. */
    private static final Set<String> COLUMNS =
            Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data", "data_base64");

    /** Stands for an object or array {@code data} in the attributes the rules see: present, not null. */
    private static final JsonNode DATA_KEPT_AS_BYTES = JsonNodeFactory.instance.objectNode();

    private final ObjectMapper json;
    /*
     * A reader and a writer bound to JsonNode once: the mapper's own readTree and
     * writeValueAsString look the type and its serializer up again on every call, which showed
     * in the sink's profile.
     */
    private final ObjectReader reader;
    private final ObjectWriter writer;
    /** False only to compare the short way with the whole tree (its test, the decoding benchmark). */
    private final boolean shortWay;

    RecordDecoder(ObjectMapper json) {
        this(json, true);
    }

    RecordDecoder(ObjectMapper json, boolean shortWay) {
        this.json = json;
        this.reader = json.readerFor(JsonNode.class);
        this.writer = json.writerFor(JsonNode.class);
        this.shortWay = shortWay;
    }

    /** The row, or the reason the record is poison. */
    sealed interface Decoded permits Row, Poison {}

    record Row(EventRow row) implements Decoded {}

    record Poison(String reason) implements Decoded {}

    /**
     * An event as read: its members ({@code data} standing in as {@link #DATA_KEPT_AS_BYTES}
     * when {@code dataJson} holds it), and {@code data} as JSON text when it was kept as bytes.
     */
    private record Event(JsonNode members, String dataJson) {}

    Decoded decode(ConsumerRecord<String, byte[]> record) {
        EventHeaders headers = EventHeaders.read(record.headers());
        if (headers.problem() != null) {
            return new Poison(headers.problem());
        }
        if (record.value() == null) {
            return new Poison("the record has no value");
        }
        Event event;
        try {
            event = readEvent(record.value());
        } catch (IOException e) {
            return new Poison("the value is not JSON");
        }
        List<Violation> violations = CloudEventRules.check(0, event.members());
        if (!violations.isEmpty()) {
            Violation first = violations.get(0);
            return new Poison("the value is not a valid CloudEvent: " + first.pointer() + " " + first.detail());
        }
        return new Row(row(headers.tenant(), headers.acceptedAt(), event, record));
    }

    /** Reads {@code value} the short way where it can, else as a whole tree. */
    private Event readEvent(byte[] value) throws IOException {
        // A string that can break a rule (invalid UTF-8, which Jackson accepts in places; an escaped
        // NUL or lone surrogate) is found by the whole tree, in the rules' own words.
        if (shortWay && Utf8.plainJsonStrings(value)) {
            Event event = readAttributes(value);
            if (event != null) {
                return event;
            }
        }
        return new Event(reader.readTree(value), null);
    }

    /**
     * The short way: the top-level members into a small tree, an object or array {@code data}
     * tokenized and kept as text. Null when the value is not shaped as it expects (not an
     * object, a member twice): the whole tree then decides, with the rules' own words.
     */
    private Event readAttributes(byte[] value) throws IOException {
        try (JsonParser parser = json.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode members = json.createObjectNode();
            String dataJson = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                JsonNode member;
                if (name.equals("data") && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    int end = (int) parser.currentLocation().getByteOffset();
                    dataJson = new String(value, start, end - start, StandardCharsets.UTF_8);
                    member = DATA_KEPT_AS_BYTES;
                } else {
                    member = scalar(parser, token);
                }
                if (members.replace(name, member) != null) {
                    return null;
                }
            }
            return new Event(members, dataJson);
        }
    }

    /** The value at the parser as a node: the usual scalars directly, anything else through the mapper. */
    private JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
        JsonNode plain = ScalarNodes.plain(parser, token);
        if (plain != null) {
            return plain;
        }
        JsonParser.NumberType number = token == JsonToken.VALUE_NUMBER_INT ? parser.getNumberType() : null;
        if (number == JsonParser.NumberType.INT) {
            return IntNode.valueOf(parser.getIntValue());
        }
        if (number == JsonParser.NumberType.LONG) {
            return LongNode.valueOf(parser.getLongValue());
        }
        return json.readTree(parser);
    }

    private EventRow row(String tenant, Instant acceptedAt, Event event, ConsumerRecord<String, byte[]> record) {
        JsonNode members = event.members();
        ObjectNode attributes = json.createObjectNode();
        members.fields().forEachRemaining(field -> {
            if (!COLUMNS.contains(field.getKey()) && !field.getValue().isNull()) {
                attributes.set(field.getKey(), field.getValue());
            }
        });
        String time = text(members, "time");
        String data = event.dataJson() != null
                ? event.dataJson()
                : members.hasNonNull("data") ? write(members.get("data")) : null;
        return new EventRow(
                tenant,
                text(members, "source"),
                text(members, "id"),
                text(members, "type"),
                text(members, "subject"),
                time == null ? null : CloudEventRules.parseTime(time),
                text(members, "datacontenttype"),
                data,
                text(members, "data_base64"),
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
}
