package io.sluice.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.event.CloudEventRules;

/**
 * A valid event ready to send: its identity, its Kafka record key and the record value (the
 * event in structured JSON form, whatever mode it arrived in).
 */
record PreparedEvent(int index, String source, String id, String key, byte[] record) {

    static PreparedEvent of(int index, JsonNode event, byte[] record) {
        String source = event.get("source").textValue();
        return new PreparedEvent(index, source, event.get("id").textValue(), partitionKey(event, source), record);
    }

    /** Per-key order holds end to end: partitionkey extension, else subject, else source. */
    private static String partitionKey(JsonNode event, String source) {
        JsonNode partitionKey = event.get(CloudEventRules.PARTITION_KEY);
        if (partitionKey != null && partitionKey.isTextual()) {
            return partitionKey.textValue();
        }
        JsonNode subject = event.get("subject");
        if (subject != null && subject.isTextual()) {
            return subject.textValue();
        }
        return source;
    }
}
