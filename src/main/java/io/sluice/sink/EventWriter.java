package io.sluice.sink;

import io.sluice.alerts.AlertEvaluator;
import io.sluice.alerts.AlertRelay;
import io.sluice.alerts.StoredEvent;
import io.sluice.dedup.DedupKey;
import io.sluice.rules.Rule;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a batch of events in one statement, tolerating rows that are already there: the
 * unique constraint on (tenant, source, event_id) is the authority on "stored once".
 *
 * <p>Plain SQL on the reactive pool rather than Hibernate Reactive entities: Hibernate has no
 * conflict-tolerant insert, and persisting entity by entity costs a statement per row. One
 * {@code INSERT ... SELECT FROM unnest(arrays)} is one prepared statement whatever the batch
 * size, one round trip, and the transaction stays open for the rest of the sink's work.
 */
@ApplicationScoped
public class EventWriter {

    private static final String INSERT_FROM_ARRAYS = """
            INSERT INTO events (tenant, source, event_id, type, subject, event_time, datacontenttype,
                                data, data_base64, attributes, kafka_partition, kafka_offset, accepted_at)
            SELECT tenant, source, event_id, type, subject, event_time, datacontenttype,
                   data::jsonb, data_base64, attributes::jsonb, kafka_partition, kafka_offset, accepted_at
              FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                          $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::bigint[],
                          $13::timestamptz[])
                AS batch(tenant, source, event_id, type, subject, event_time, datacontenttype,
                         data, data_base64, attributes, kafka_partition, kafka_offset, accepted_at)
            """;

    /** Every row new, or the statement fails on the identity constraint as a whole. */
    private static final String INSERT_ALL = INSERT_FROM_ARRAYS;

    /** Rows already stored are skipped; the answer names the new ones. */
    private static final String INSERT_NEW = INSERT_FROM_ARRAYS + """
            ON CONFLICT ON CONSTRAINT events_identity DO NOTHING
            RETURNING kafka_partition, kafka_offset
            """;

    private static final String IDENTITY = "events_identity";
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * Records that found their event already stored by another record. A record whose own row
     * is there was stored by an earlier delivery of itself (a crash before the offset commit),
     * not re-posted, so it is no hit; a hit seen twice is kept once (keyed by event and offset:
     * an offset alone is reused when a topic is created again).
     */
    private static final String INSERT_HITS = """
            INSERT INTO dedup_hits (kafka_partition, kafka_offset, tenant, source, event_id, accepted_at)
            SELECT hit.kafka_partition, hit.kafka_offset, hit.tenant, hit.source, hit.event_id, hit.accepted_at
              FROM unnest($1::int[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                AS hit(kafka_partition, kafka_offset, tenant, source, event_id, accepted_at)
             WHERE NOT EXISTS (SELECT 1 FROM events e
                                WHERE e.tenant = hit.tenant AND e.source = hit.source AND e.event_id = hit.event_id
                                  AND e.kafka_partition = hit.kafka_partition AND e.kafka_offset = hit.kafka_offset)
            ON CONFLICT DO NOTHING
            """;

    private final Pool pool;
    private final AlertEvaluator alerts;
    private final AlertRelay relay;
    /**
     * Whether the last batch found rows already stored. Conflict tolerance costs PostgreSQL about
     * a fifth more per row ({@code ON CONFLICT} probes the unique index before it inserts, and
     * {@code RETURNING} sends every new row back), and Redis already keeps almost every duplicate
     * away: so a batch is first inserted as a whole, and only a batch that meets a stored row is
     * inserted again, tolerantly, in a new transaction. Duplicates come in runs (a redelivery
     * after a crash, a flushed Redis): once one is met, batches are tolerant from the start until
     * one finds nothing stored.
     */
    private volatile boolean conflictsExpected;

    EventWriter(Pool pool, AlertEvaluator alerts, AlertRelay relay) {
        this.pool = pool;
        this.alerts = alerts;
        this.relay = relay;
    }

    /**
     * Inserts {@code rows} and evaluates the alert rules over the new ones, in one transaction:
     * an alert is stored exactly when the events that raised it are. When {@code countHits},
     * the rows that were already there and {@code alreadyStored} (duplicates Redis knew) are
     * recorded as dedup hits in the same transaction. The answer is how many rows were new.
     */
    public Uni<Integer> insertNew(List<EventRow> rows, List<EventRow> alreadyStored, boolean countHits) {
        if (rows.isEmpty() && (alreadyStored.isEmpty() || !countHits)) {
            return Uni.createFrom().item(0);
        }
        // A replay re-reads what is mostly stored: it is tolerant from the start.
        if (conflictsExpected || !countHits || rows.isEmpty()) {
            return transaction(rows, alreadyStored, countHits, true);
        }
        return transaction(rows, alreadyStored, countHits, false)
                .onFailure(EventWriter::conflictOnIdentity)
                .recoverWithUni(conflict -> {
                    conflictsExpected = true;
                    return transaction(rows, alreadyStored, countHits, true);
                });
    }

    private Uni<Integer> transaction(
            List<EventRow> rows, List<EventRow> alreadyStored, boolean countHits, boolean tolerant) {
        int[] raised = new int[1];
        return pool.withConnection(connection -> {
                    /*
                     * BEGIN, the INSERT and the rules lookup go out together: the client sends a
                     * transaction's commands as they come, so none waits for the answer before it
                     * and a turn of the event loop before it is even encoded (BEGIN's wait alone
                     * was about 9 ms of every 35-ms transaction in PostgreSQL's statement log).
                     * Otherwise this is what Pool.withTransaction does: commit at the end, roll
                     * back on any failure. A failed INSERT fails the lookup behind it too (the
                     * transaction is aborted); its own failure comes first.
                     */
                    Uni<Transaction> begin = connection.begin().memoize().indefinitely();
                    Uni<List<StoredEvent>> insert =
                            tolerant ? insertUnstored(connection, rows) : insertEvery(connection, rows);
                    Uni<List<Rule>> rules =
                            rows.isEmpty() ? Uni.createFrom().item(List.of()) : rulesFor(connection, rows);
                    return Uni.combine()
                            .all()
                            .unis(begin, insert, rules)
                            .asTuple()
                            .chain(started -> {
                                List<StoredEvent> stored = started.getItem2();
                                return (countHits
                                                ? insertHits(connection, duplicates(rows, stored, alreadyStored))
                                                : Uni.createFrom().voidItem())
                                        .chain(() -> alerts.evaluate(connection, stored, started.getItem3()))
                                        .invoke(count -> raised[0] = count)
                                        .call(() -> started.getItem1().commit())
                                        .replaceWith(stored.size());
                            })
                            .onFailure()
                            .call(() -> begin.chain(Transaction::rollback)
                                    .onFailure()
                                    .recoverWithNull());
                })
                .invoke(inserted -> {
                    if (tolerant && inserted == rows.size()) {
                        conflictsExpected = false;
                    }
                    if (raised[0] > 0) {
                        relay.kick();
                    }
                });
    }

    /** The rules that can match {@code rows}: those of each (tenant, type) pair in them, each pair once. */
    private Uni<List<Rule>> rulesFor(SqlConnection connection, List<EventRow> rows) {
        Set<Map.Entry<String, String>> pairs = new LinkedHashSet<>();
        rows.forEach(row -> pairs.add(Map.entry(row.tenant(), row.type())));
        String[] tenants = new String[pairs.size()];
        String[] types = new String[pairs.size()];
        int i = 0;
        for (Map.Entry<String, String> pair : pairs) {
            tenants[i] = pair.getKey();
            types[i++] = pair.getValue();
        }
        return alerts.rulesFor(connection, tenants, types);
    }

    /** The whole batch was refused because one of its events is stored already. */
    private static boolean conflictOnIdentity(Throwable failure) {
        return failure instanceof PgException pg
                && UNIQUE_VIOLATION.equals(pg.getSqlState())
                && IDENTITY.equals(pg.getConstraint());
    }

    private static List<EventRow> duplicates(
            List<EventRow> rows, List<StoredEvent> stored, List<EventRow> alreadyStored) {
        if (stored.size() == rows.size()) {
            return alreadyStored; // every row was new: the usual batch
        }
        Set<DedupKey> inserted = new HashSet<>();
        stored.forEach(event -> inserted.add(new DedupKey(event.tenant(), event.source(), event.id())));
        List<EventRow> duplicates = new ArrayList<>(alreadyStored);
        for (EventRow row : rows) {
            if (!inserted.contains(row.key())) {
                duplicates.add(row);
            }
        }
        return duplicates;
    }

    private static Uni<Void> insertHits(SqlConnection connection, List<EventRow> hits) {
        if (hits.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = hits.size();
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        String[] tenants = new String[n];
        String[] sources = new String[n];
        String[] ids = new String[n];
        OffsetDateTime[] acceptedAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            EventRow hit = hits.get(i);
            partitions[i] = hit.partition();
            offsets[i] = hit.offset();
            tenants[i] = hit.tenant();
            sources[i] = hit.source();
            ids[i] = hit.eventId();
            acceptedAt[i] = hit.acceptedAt().atOffset(ZoneOffset.UTC);
        }
        return connection
                .preparedQuery(INSERT_HITS)
                .execute(Tuple.tuple(List.of(partitions, offsets, tenants, sources, ids, acceptedAt)))
                .replaceWithVoid();
    }

    /** Inserts every one of {@code rows}, or fails on the first already stored; the answer is all of them. */
    private static Uni<List<StoredEvent>> insertEvery(SqlConnection connection, List<EventRow> rows) {
        return connection.preparedQuery(INSERT_ALL).execute(arrays(rows)).map(result -> {
            List<StoredEvent> stored = new ArrayList<>(rows.size());
            rows.forEach(row -> stored.add(stored(row)));
            return stored;
        });
    }

    /** Inserts {@code rows} that are not stored yet; the answer is the events that were new, in batch order. */
    private static Uni<List<StoredEvent>> insertUnstored(SqlConnection connection, List<EventRow> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // The new rows are told apart by where Kafka had them: within one statement no two rows
        // share a partition and offset, and two numbers cost less to send and match than three
        // strings (the key) would.
        return connection.preparedQuery(INSERT_NEW).execute(arrays(rows)).map(result -> {
            Set<Position> inserted = new HashSet<>(result.rowCount() * 2);
            result.forEach(row -> inserted.add(new Position(row.getInteger(0), row.getLong(1))));
            List<StoredEvent> stored = new ArrayList<>(inserted.size());
            for (EventRow row : rows) {
                if (inserted.contains(new Position(row.partition(), row.offset()))) {
                    stored.add(stored(row));
                }
            }
            return stored;
        });
    }

    private static StoredEvent stored(EventRow row) {
        return new StoredEvent(
                row.tenant(),
                row.source(),
                row.eventId(),
                row.type(),
                row.subject(),
                row.eventTime() != null ? row.eventTime().toInstant() : row.acceptedAt(),
                row.acceptedAt(),
                row.dataJson());
    }

    /** The statement's parameters: one array per column. */
    private static Tuple arrays(List<EventRow> rows) {
        int n = rows.size();
        String[] tenants = new String[n];
        String[] sources = new String[n];
        String[] ids = new String[n];
        String[] types = new String[n];
        String[] subjects = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] contentTypes = new String[n];
        String[] data = new String[n];
        String[] dataBase64 = new String[n];
        String[] attributes = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        OffsetDateTime[] acceptedAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            EventRow row = rows.get(i);
            tenants[i] = row.tenant();
            sources[i] = row.source();
            ids[i] = row.eventId();
            types[i] = row.type();
            subjects[i] = row.subject();
            times[i] = row.eventTime();
            contentTypes[i] = row.datacontenttype();
            data[i] = row.dataJson();
            dataBase64[i] = row.dataBase64();
            attributes[i] = row.attributesJson();
            partitions[i] = row.partition();
            offsets[i] = row.offset();
            acceptedAt[i] = row.acceptedAt().atOffset(ZoneOffset.UTC);
        }
        return Tuple.tuple(List.of(
                tenants,
                sources,
                ids,
                types,
                subjects,
                times,
                contentTypes,
                data,
                dataBase64,
                attributes,
                partitions,
                offsets,
                acceptedAt));
    }

    /** Where Kafka had a row's record. */
    private record Position(int partition, long offset) {}
}
