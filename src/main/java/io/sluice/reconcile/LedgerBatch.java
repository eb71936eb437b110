package io.sluice.reconcile;

import io.sluice.record.EventHeaders;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * What one poll of the events topic adds to the ledger: events per tenant and minute of
 * acceptance, and the offset after the last record read of each partition.
 *
 * <p>A record is counted in the minute the sink files its row, dedup hit or dead letter under
 * (the same two headers), so the two sides meet minute by minute. Not counted: a redrive (the
 * event was counted when Kafka first acknowledged it, and its dead letter is counted where the
 * redrive went) and a record without a tenant or an acceptance time, which belongs to no
 * tenant's minute (the sink dead-letters it as poison).
 */
final class LedgerBatch {

    /** A tenant's minute of acceptance. */
    record Bucket(String tenant, Instant minute) {}

    private final Map<Bucket, Long> counts = new HashMap<>();
    private final Map<Integer, Long> nextOffsets = new TreeMap<>();

    void add(ConsumerRecord<?, ?> record) {
        nextOffsets.merge(record.partition(), record.offset() + 1, Math::max);
        Bucket bucket = bucket(record.headers());
        if (bucket != null) {
            counts.merge(bucket, 1L, Long::sum);
        }
    }

    /** The bucket a record counts in, or null when it counts in none. */
    static Bucket bucket(Headers headers) {
        EventHeaders read = EventHeaders.read(headers);
        if (read.redrive() || read.problem() != null) {
            return null;
        }
        return new Bucket(read.tenant(), read.acceptedAt().truncatedTo(ChronoUnit.MINUTES));
    }

    Map<Bucket, Long> counts() {
        return counts;
    }

    /** Per partition read, the offset after its last record read. */
    Map<Integer, Long> nextOffsets() {
        return nextOffsets;
    }
}
