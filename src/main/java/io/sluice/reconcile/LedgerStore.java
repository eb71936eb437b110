package io.sluice.reconcile;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * The ledger's tables: its position in each partition ({@code ledger_positions}) and what it
 * counted ({@code acknowledged_counts}), changed together or not at all. Called from the
 * ledger's own thread, which waits for each answer.
 */
final class LedgerStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final String START = """
            INSERT INTO ledger_positions (topic, kafka_partition, next_offset)
            SELECT $1, * FROM unnest($2::int[], $3::bigint[]) ON CONFLICT DO NOTHING
            """;
    private static final String POSITIONS =
            "SELECT kafka_partition, next_offset FROM ledger_positions WHERE topic = $1 AND kafka_partition = ANY($2)";
    private static final String MOVE = """
            UPDATE ledger_positions AS p SET next_offset = n.next_offset
              FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS n(kafka_partition, read_from, next_offset)
             WHERE p.topic = $1 AND p.kafka_partition = n.kafka_partition AND p.next_offset = n.read_from
            """;
    private static final String ADD = """
            INSERT INTO acknowledged_counts (tenant, minute, acknowledged)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[])
            ON CONFLICT (tenant, minute) DO UPDATE SET acknowledged = acknowledged_counts.acknowledged + excluded.acknowledged
            """;

    /** Another ledger moved a position this one was about to move: its batch was not counted. */
    static final class PositionMoved extends RuntimeException {
        PositionMoved() {
            super("a ledger position was moved by another replica", null, false, false);
        }
    }

    private final Pool pool;
    private final String topic;

    LedgerStore(Pool pool, String topic) {
        this.pool = pool;
        this.topic = topic;
    }

    /**
     * The saved position of each partition in {@code firstOffsets}; one never saved is saved
     * first, at the given offset (the partition's first record).
     */
    Map<Integer, Long> positions(Map<Integer, Long> firstOffsets) {
        Integer[] partitions = firstOffsets.keySet().toArray(Integer[]::new);
        Long[] firsts = new Long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            firsts[i] = firstOffsets.get(partitions[i]);
        }
        Map<Integer, Long> saved = new HashMap<>();
        pool.withTransaction(connection -> connection
                        .preparedQuery(START)
                        .execute(Tuple.of(topic, partitions, firsts))
                        .chain(() -> connection.preparedQuery(POSITIONS).execute(Tuple.of(topic, partitions))))
                .await()
                .atMost(TIMEOUT)
                .forEach(row -> saved.put(row.getInteger("kafka_partition"), row.getLong("next_offset")));
        return saved;
    }

    /**
     * Adds {@code batch}'s counts and moves each partition it read from {@code readFrom} to
     * where the batch ends, in one transaction.
     *
     * @throws PositionMoved when a position is no longer {@code readFrom}: nothing was saved
     */
    void save(Map<Integer, Long> readFrom, LedgerBatch batch) {
        Map<Integer, Long> next = batch.nextOffsets();
        Integer[] partitions = next.keySet().toArray(Integer[]::new);
        Long[] from = new Long[partitions.length];
        Long[] to = new Long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            from[i] = readFrom.get(partitions[i]);
            to[i] = next.get(partitions[i]);
        }
        pool.withTransaction(connection -> connection
                        .preparedQuery(MOVE)
                        .execute(Tuple.of(topic, partitions, from, to))
                        .invoke(moved -> {
                            if (moved.rowCount() != partitions.length) {
                                throw new PositionMoved();
                            }
                        })
                        .chain(() -> add(connection, batch)))
                .await()
                .atMost(TIMEOUT);
    }

    private static Uni<RowSet<Row>> add(SqlConnection connection, LedgerBatch batch) {
        int n = batch.counts().size();
        String[] tenants = new String[n];
        OffsetDateTime[] minutes = new OffsetDateTime[n];
        Long[] additions = new Long[n];
        int i = 0;
        for (Map.Entry<LedgerBatch.Bucket, Long> count : batch.counts().entrySet()) {
            tenants[i] = count.getKey().tenant();
            minutes[i] = count.getKey().minute().atOffset(ZoneOffset.UTC);
            additions[i] = count.getValue();
            i++;
        }
        return connection.preparedQuery(ADD).execute(Tuple.of(tenants, minutes, additions));
    }
}
