package io.sluice.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.reconcile.LedgerBatch.Bucket;
import io.sluice.record.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LedgerBatchTest {

    private static final Instant TEN = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void countsEachRecordInItsTenantsMinuteOfAcceptance() {
        LedgerBatch batch = new LedgerBatch();
        batch.add(record(0, 10, headers("a", "2026-12-07T10:00:00Z")));
        batch.add(record(0, 11, headers("a", "2026-12-07T10:00:59.999999Z")));
        batch.add(record(1, 7, headers("a", "2026-12-07T10:01:00Z")));
        batch.add(record(1, 8, headers("b", "2026-12-07T10:00:30.5Z")));

        assertThat(batch.counts())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        new Bucket("a", TEN), 2L,
                        new Bucket("a", TEN.plusSeconds(60)), 1L,
                        new Bucket("b", TEN), 1L));
        assertThat(batch.nextOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 12L, 1, 9L));
    }

    @Test
    void aRedriveOrARecordWithoutTenantOrAcceptanceTimeCountsNowhereButIsRead() {
        RecordHeaders redrive = headers("a", "2026-12-07T10:00:00Z");
        redrive.add(EventHeaders.REDRIVE_OF, "17".getBytes(StandardCharsets.UTF_8));
        RecordHeaders noTenant = headers(null, "2026-12-07T10:00:00Z");
        RecordHeaders emptyTenant = headers("", "2026-12-07T10:00:00Z");
        RecordHeaders noTime = headers("a", null);
        RecordHeaders badTime = headers("a", "yesterday");

        LedgerBatch batch = new LedgerBatch();
        long offset = 0;
        for (RecordHeaders headers : new RecordHeaders[] {redrive, noTenant, emptyTenant, noTime, badTime}) {
            batch.add(record(3, offset++, headers));
        }

        assertThat(batch.counts()).isEmpty();
        assertThat(batch.nextOffsets()).containsExactlyEntriesOf(Map.of(3, 5L));
    }

    @Test
    void theLastHeaderOfANameIsTheOneRead() {
        RecordHeaders headers = headers("first", "2026-12-07T10:00:00Z");
        headers.add(EventHeaders.TENANT, "second".getBytes(StandardCharsets.UTF_8));

        assertThat(LedgerBatch.bucket(headers)).isEqualTo(new Bucket("second", TEN));
    }

    private static RecordHeaders headers(String tenant, String acceptedAt) {
        RecordHeaders headers = new RecordHeaders();
        if (tenant != null) {
            headers.add(EventHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
        }
        if (acceptedAt != null) {
            headers.add(EventHeaders.ACCEPTED_AT, acceptedAt.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static ConsumerRecord<Void, Void> record(int partition, long offset, RecordHeaders headers) {
        return new ConsumerRecord<>(
                "events",
                partition,
                offset,
                0L,
                TimestampType.CREATE_TIME,
                0,
                0,
                null,
                null,
                headers,
                Optional.empty());
    }
}
