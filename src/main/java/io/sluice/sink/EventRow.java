package io.sluice.sink;

import io.sluice.dedup.DedupKey;
import java.time.Instant;
import java.time.OffsetDateTime;

/** One event as it goes into the {@code events} table, with where Kafka had it. */
record EventRow(
        String tenant,
        String source,
        String eventId,
        String type,
        String subject,
        OffsetDateTime eventTime,
        String datacontenttype,
        String dataJson,
        String dataBase64,
        String attributesJson,
        int partition,
        long offset,
        Instant acceptedAt) {

    DedupKey key() {
        return new DedupKey(tenant, source, eventId);
    }
}
