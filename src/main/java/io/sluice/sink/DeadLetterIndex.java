package io.sluice.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.record.EventHeaders;
import io.sluice.record.HeadersJson;
import io.sluice.sink.DeadLetterPublisher.Entry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Writes each dead-lettered record, with its content and why, to {@code dead_letters}: the
 * index the DLQ API lists, inspects and redrives from, and what reconciliation counts. The
 * topic stays the durable copy; an entry is keyed by the record it came from (topic,
 * partition, offset and the record's timestamp, since offsets start again in a re-created
 * topic), so a record dead-lettered twice (a crash before the offset commit) is one entry.
 */
@ApplicationScoped
public class DeadLetterIndex {

    private static final String INSERT = """
            INSERT INTO dead_letters (origin_topic, origin_partition, origin_offset, origin_timestamp, tenant, source,
                                      event_id, accepted_at, reason, attempts, record_key, headers, value)
            SELECT origin_topic, origin_partition, origin_offset, origin_timestamp, tenant, source,
                   event_id, accepted_at, reason, attempts, record_key, headers::jsonb, value
              FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[],
                          $8::timestamptz[], $9::text[], $10::int[], $11::bytea[], $12::text[], $13::bytea[])
                AS entry(origin_topic, origin_partition, origin_offset, origin_timestamp, tenant, source,
                         event_id, accepted_at, reason, attempts, record_key, headers, value)
            ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING
            """;

    private final Pool pool;
    private final ObjectMapper json = new ObjectMapper();

    DeadLetterIndex(Pool pool) {
        this.pool = pool;
    }

    /** Arrays of the core (not Mutiny) buffer type: that is what the client encodes as {@code bytea[]}. */
    Uni<Void> record(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = entries.size();
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        Long[] timestamps = new Long[n];
        String[] tenants = new String[n];
        String[] sources = new String[n];
        String[] ids = new String[n];
        OffsetDateTime[] acceptedAt = new OffsetDateTime[n];
        String[] reasons = new String[n];
        Integer[] attempts = new Integer[n];
        Buffer[] keys = new Buffer[n];
        String[] headers = new String[n];
        Buffer[] values = new Buffer[n];
        for (int i = 0; i < n; i++) {
            Entry entry = entries.get(i);
            ConsumerRecord<String, byte[]> record = entry.record();
            JsonNode event = event(record.value());
            topics[i] = record.topic();
            partitions[i] = record.partition();
            offsets[i] = record.offset();
            timestamps[i] = record.timestamp();
            EventHeaders eventHeaders = EventHeaders.read(record.headers());
            tenants[i] = eventHeaders.tenant();
            sources[i] = text(event, "source");
            ids[i] = text(event, "id");
            acceptedAt[i] = eventHeaders.acceptedAt() == null
                    ? null
                    : eventHeaders.acceptedAt().atOffset(ZoneOffset.UTC);
            reasons[i] = entry.reason().replace('\0', ' ');
            attempts[i] = entry.attempts();
            keys[i] = record.key() == null ? null : Buffer.buffer(record.key().getBytes(StandardCharsets.UTF_8));
            headers[i] = HeadersJson.toJson(record.headers()).toString();
            values[i] = Buffer.buffer(record.value() == null ? new byte[0] : record.value());
        }
        Tuple arrays = Tuple.tuple(List.of(
                topics,
                partitions,
                offsets,
                timestamps,
                tenants,
                sources,
                ids,
                acceptedAt,
                reasons,
                attempts,
                keys,
                headers,
                values));
        return pool.preparedQuery(INSERT).execute(arrays).replaceWithVoid();
    }

    /** The record's value as JSON when it is JSON (poison may not be), to name the event. */
    private JsonNode event(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return json.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode event, String field) {
        JsonNode value = event == null ? null : event.get(field);
        if (value == null || !value.isTextual()) {
            return null;
        }
        // PostgreSQL text cannot hold NUL; a name with one is poison's, not an event's.
        return value.asText().indexOf('\0') >= 0 ? null : value.asText();
    }
}
