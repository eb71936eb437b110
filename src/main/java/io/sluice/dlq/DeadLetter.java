package io.sluice.dlq;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.mutiny.sqlclient.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;

/** One entry of {@code dead_letters}: a record the sink could not store, with why and what became of it. */
record DeadLetter(
        long id,
        String originTopic,
        int originPartition,
        long originOffset,
        String tenant,
        String source,
        String eventId,
        OffsetDateTime acceptedAt,
        String reason,
        int attempts,
        byte[] key,
        JsonNode headers,
        byte[] value,
        OffsetDateTime deadLetteredAt,
        OffsetDateTime redrivenAt,
        String redrivenTo) {

    static final String COLUMNS = "id, origin_topic, origin_partition, origin_offset, tenant, source, event_id,"
            + " accepted_at, reason, attempts, record_key, headers::text AS headers, value, dead_lettered_at,"
            + " redriven_at, redriven_to";

    /** Strict: a value that is JSON followed by anything else is shown as bytes. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static DeadLetter of(Row row) {
        return new DeadLetter(
                row.getLong("id"),
                row.getString("origin_topic"),
                row.getInteger("origin_partition"),
                row.getLong("origin_offset"),
                row.getString("tenant"),
                row.getString("source"),
                row.getString("event_id"),
                row.getOffsetDateTime("accepted_at"),
                row.getString("reason"),
                row.getInteger("attempts"),
                row.getBuffer("record_key") == null
                        ? null
                        : row.getBuffer("record_key").getBytes(),
                headers(row.getString("headers")),
                row.getBuffer("value").getBytes(),
                row.getOffsetDateTime("dead_lettered_at"),
                row.getOffsetDateTime("redriven_at"),
                row.getString("redriven_to"));
    }

    private static JsonNode headers(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("dead_letters.headers holds no JSON", e);
        }
    }

    String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** What a list shows: everything but the content. */
    ObjectNode summary() {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("source", source);
        node.put("eventId", eventId);
        node.put("reason", reason);
        node.put("attempts", attempts);
        node.putObject("origin")
                .put("topic", originTopic)
                .put("partition", originPartition)
                .put("offset", originOffset);
        putTime(node, "acceptedAt", acceptedAt);
        putTime(node, "deadLetteredAt", deadLetteredAt);
        putTime(node, "redrivenAt", redrivenAt);
        if (redrivenTo != null) {
            node.put("redrivenTo", redrivenTo);
        }
        return node;
    }

    /** What inspecting shows: the summary, the record's key and headers, and its value (as JSON when it is JSON). */
    ObjectNode detail() {
        ObjectNode node = summary();
        node.put("key", keyText());
        node.set("headers", headers);
        JsonNode parsed = null;
        try {
            parsed = value.length == 0 ? null : JSON.readTree(value);
        } catch (IOException e) {
            // not JSON: shown as bytes below
        }
        if (parsed != null && !parsed.isMissingNode()) {
            node.set("value", parsed);
        } else {
            node.put("valueBase64", Base64.getEncoder().encodeToString(value));
        }
        return node;
    }

    private static void putTime(ObjectNode node, String name, OffsetDateTime time) {
        if (time != null) {
            node.put(name, time.toInstant().toString());
        }
    }
}
