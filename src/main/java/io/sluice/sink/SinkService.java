package io.sluice.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.SluiceConfig;
import io.sluice.dedup.ClaimState;
import io.sluice.dedup.DedupKey;
import io.sluice.dedup.DedupStore;
import io.sluice.sink.DeadLetterPublisher.Entry;
import io.sluice.sink.ProtocolSteps.Step;
import io.sluice.sink.RecordDecoder.Poison;
import io.sluice.sink.RecordDecoder.Row;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Stores a batch of records exactly once, by the dedup protocol:
 *
 * <ol>
 *   <li>claim every event in Redis ({@code SET NX PX lease}, pipelined); events already
 *       {@code done} are duplicates;
 *   <li>insert the claimed ones in one transaction, {@code ON CONFLICT DO NOTHING} on the
 *       unique key;
 *   <li>mark them {@code done};
 *   <li>return, after which the connector acknowledges the batch and commits its offsets.
 * </ol>
 *
 * A crash anywhere leaves the offsets uncommitted, so the batch comes again: a claim left
 * behind expires after its lease, and the database constraint catches what Redis forgot.
 * Redis down only costs the fast path. A database that is down is waited for (with backoff),
 * never skipped; a row the database refuses is retried alone and, after
 * {@code sluice.sink.max-attempts}, dead-lettered with the database's reason
 * ({@link FailurePolicy}).
 */
@ApplicationScoped
public class SinkService {

    private static final Logger LOG = Logger.getLogger(SinkService.class);

    private final DedupStore dedup;
    private final EventWriter writer;
    private final DeadLetterPublisher deadLetters;
    private final DeadLetterIndex deadLetterIndex;
    private final ProtocolSteps steps;
    private final SluiceConfig.Sink config;
    private final FailurePolicy failures;
    private final RecordDecoder decoder = new RecordDecoder(new ObjectMapper());
    /** Who holds this process's claims; a restarted process is a new owner. */
    private final String owner = hostname() + "/" + UUID.randomUUID();

    private final Counter stored;
    private final Counter duplicatesInRedis;
    private final Counter duplicatesInDatabase;
    private final Counter duplicatesInBatch;
    private final Counter deadLettered;
    private final Counter claimsWithoutRedis;
    private final Counter unindexedDeadLetters;
    // Where a batch's time goes, step by step: what to look at first when the sink is slow.
    private final Timer decoding;
    private final Timer claiming;
    private final Timer writing;
    private final Timer markingDone;
    /** Whether the last claim reached Redis: its loss and return are logged once each, not per batch. */
    private final AtomicBoolean redisAnswering = new AtomicBoolean(true);

    SinkService(
            DedupStore dedup,
            EventWriter writer,
            DeadLetterPublisher deadLetters,
            DeadLetterIndex deadLetterIndex,
            ProtocolSteps steps,
            SluiceConfig config,
            MeterRegistry metrics) {
        this.dedup = dedup;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.deadLetterIndex = deadLetterIndex;
        this.steps = steps;
        this.config = config.sink();
        this.failures = new FailurePolicy(this.config);
        this.stored = metrics.counter("sluice.sink.stored");
        this.duplicatesInRedis = metrics.counter("sluice.sink.duplicates", "found.by", "redis");
        this.duplicatesInDatabase = metrics.counter("sluice.sink.duplicates", "found.by", "database");
        this.duplicatesInBatch = metrics.counter("sluice.sink.duplicates", "found.by", "batch");
        this.deadLettered = metrics.counter("sluice.sink.dead.lettered");
        this.claimsWithoutRedis = metrics.counter("sluice.sink.claims.without.redis");
        this.unindexedDeadLetters = metrics.counter("sluice.sink.dead.letters.unindexed");
        this.decoding = stepTimer(metrics, "decode", "decoding a polled batch into rows");
        this.claiming = stepTimer(metrics, "claim", "claiming a batch's events in Redis");
        this.writing = stepTimer(metrics, "write", "the transaction inserting a batch's rows (alerts included)");
        this.markingDone = stepTimer(metrics, "done", "marking a batch's events done in Redis");
    }

    /**
     * The first half of storing a batch, which may run while the batch ahead of it is still in
     * {@link #finish}: decodes the records and claims their events in Redis. Nothing here is
     * visible to the database or to the offsets.
     */
    Uni<Prepared> prepare(Iterable<ConsumerRecord<String, byte[]>> records) {
        // Decoding is most of the sink's own CPU: on a worker thread it runs beside the event
        // loop, which meanwhile writes the batch ahead, instead of queueing behind it. The claims
        // go out from the caller's event loop again: called from a thread outside Vert.x, the
        // Redis client makes a new Vert.x context for every command of the pipeline.
        Context caller = Vertx.currentContext();
        Executor backToCaller = caller == null ? Runnable::run : task -> caller.runOnContext(ignored -> task.run());
        return Uni.createFrom()
                .item(() -> decoding.record(() -> decode(records)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(backToCaller)
                .chain(prepared -> timed(claiming, () -> claim(keys(prepared.rows())))
                        .map(states -> prepared.withClaims(states, System.nanoTime())));
    }

    /**
     * The second half: dead-letters the poison and stores the rows, retrying as long as it
     * takes; runs {@code committed} once every row is committed, then marks the events done.
     * Batches must be committed one at a time, in the order they were polled; the next batch
     * may start its transaction as soon as {@code committed} has run, beside this one's done
     * marks.
     */
    Uni<Void> finish(Prepared prepared, Runnable committed) {
        deadLettered.increment(prepared.poison().size());
        // Retrying poison is pointless: it goes to the dead-letter topic at once.
        return deadLetter(prepared.poison())
                .chain(() -> storeBatch(prepared.rows(), prepared.repeats(), StoreMode.CONSUME, prepared))
                .invoke(committed)
                .chain(this::markDone);
    }

    /**
     * Stores {@code records} again, for a replay ({@link StoreMode#REPLAY}): the database alone
     * decides what is new. The answer is how many rows were new.
     */
    public Uni<Integer> restore(Iterable<ConsumerRecord<String, byte[]>> records) {
        Prepared prepared = decode(records);
        return storeBatch(prepared.rows(), List.of(), StoreMode.REPLAY, null)
                .call(this::markDone)
                .map(Written::inserted);
    }

    private Prepared decode(Iterable<ConsumerRecord<String, byte[]>> records) {
        Map<DedupKey, Stored> batch = new LinkedHashMap<>();
        List<EventRow> repeatedInBatch = new ArrayList<>();
        List<Entry> poison = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            RecordDecoder.Decoded decoded = decoder.decode(record);
            if (decoded instanceof Row row) {
                // The same event twice in one batch is stored from its first record.
                if (batch.putIfAbsent(row.row().key(), new Stored(row.row(), record)) != null) {
                    repeatedInBatch.add(row.row());
                }
            } else if (decoded instanceof Poison bad) {
                poison.add(new Entry(record, bad.reason(), 1));
            }
        }
        duplicatesInBatch.increment(repeatedInBatch.size());
        return new Prepared(List.copyOf(batch.values()), List.copyOf(repeatedInBatch), List.copyOf(poison), null, 0);
    }

    /**
     * A decoded batch: its events (first record of each), the records repeating an event of the
     * batch, the poison, and the claims {@link #prepare} took for the events (null until then)
     * with when it took them ({@link System#nanoTime()}).
     */
    record Prepared(
            List<Stored> rows,
            List<EventRow> repeats,
            List<Entry> poison,
            Map<DedupKey, ClaimState> claims,
            long claimedAt) {

        Prepared withClaims(Map<DedupKey, ClaimState> states, long at) {
            return new Prepared(rows, repeats, poison, states, at);
        }

        /**
         * The claims taken ahead, while well within their lease (the batch ahead may have kept
         * this one waiting); null means claim again.
         */
        Map<DedupKey, ClaimState> claimsIfFresh(Duration lease) {
            boolean fresh = System.nanoTime() - claimedAt < lease.toNanos() / 2;
            return claims != null && fresh ? claims : null;
        }
    }

    /** An event to store and the record it came in. */
    record Stored(EventRow row, ConsumerRecord<String, byte[]> record) {}

    /** What was committed: how many rows were new, and the claims to mark done now. */
    private record Written(int inserted, List<DedupKey> claimed) {
        static final Written NOTHING = new Written(0, List.of());

        Written plus(Written other) {
            List<DedupKey> both = new ArrayList<>(claimed);
            both.addAll(other.claimed);
            return new Written(inserted + other.inserted, both);
        }
    }

    private static List<DedupKey> keys(List<Stored> rows) {
        return rows.stream().map(row -> row.row().key()).toList();
    }

    /**
     * Stores {@code rows}; {@code repeats} are duplicates found in the batch itself, counted as
     * dedup hits. The first attempt uses the claims {@code claimedAhead} holds, if still fresh.
     */
    private Uni<Written> storeBatch(List<Stored> rows, List<EventRow> repeats, StoreMode mode, Prepared claimedAhead) {
        AtomicReference<Prepared> firstAttempt = new AtomicReference<>(claimedAhead);
        return failures.waitingOut("storing a batch", () -> {
                    Prepared ahead = firstAttempt.getAndSet(null);
                    return attempt(
                            rows, repeats, mode, ahead == null ? null : ahead.claimsIfFresh(config.claimLease()));
                })
                .onFailure(FailurePolicy::isRefusal)
                .recoverWithUni(refusal -> storeEachAlone(rows, repeats, mode));
    }

    /** The database refused something in the batch: find which rows by storing them one by one. */
    private Uni<Written> storeEachAlone(List<Stored> rows, List<EventRow> repeats, StoreMode mode) {
        Uni<Written> chain = Uni.createFrom().item(Written.NOTHING);
        for (Stored row : rows) {
            chain = chain.chain(sum -> storeAlone(row, mode).map(sum::plus));
        }
        if (repeats.isEmpty()) {
            return chain;
        }
        // The batch's own repeats are still dedup hits, recorded once every row is settled.
        return chain.call(() -> failures.untilDone(
                "recording the batch's dedup hits",
                () -> attempt(List.of(), repeats, mode, null).replaceWithVoid()));
    }

    private Uni<Written> storeAlone(Stored row, StoreMode mode) {
        return failures.refusedAtMostMaxAttempts("storing an event", () -> attempt(List.of(row), List.of(), mode, null))
                .onFailure(FailurePolicy::isRefusal)
                .recoverWithUni(refusal -> refusedForGood(row, mode, refusal));
    }

    private Uni<Written> refusedForGood(Stored row, StoreMode mode, Throwable refusal) {
        if (!mode.deadLettersRefusals()) {
            LOG.debugf("a replayed event is still refused by the database: %s", refusal.getMessage());
            return Uni.createFrom().item(Written.NOTHING);
        }
        deadLettered.increment();
        String reason = "the database refused the event: " + refusal.getMessage();
        return deadLetter(List.of(new Entry(row.record(), reason, failures.maxAttempts())))
                .replaceWith(Written.NOTHING);
    }

    /**
     * Dead-letters {@code entries}, then indexes them for the DLQ API, each step waiting as
     * long as it takes: skipping them would lose them. A crash between the two publishes them
     * again on redelivery; the index keeps one entry per original record.
     */
    private Uni<Void> deadLetter(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return failures.untilDone("dead-lettering", () -> deadLetters.publish(entries))
                .chain(() -> failures.untilDone(
                        "indexing dead letters",
                        () -> deadLetterIndex
                                .record(entries)
                                .onFailure(FailurePolicy::isRefusal)
                                .recoverWithItem(failure -> {
                                    // The records are safe in the topic; only the index misses them. A
                                    // refusal would refuse again: waiting for it would stall the partition.
                                    unindexedDeadLetters.increment(entries.size());
                                    LOG.errorf(
                                            "%d dead letters are in the topic but not in the DLQ index: %s",
                                            entries.size(), failure.getMessage());
                                    return null;
                                })));
    }

    /**
     * One pass of the protocol over {@code rows} up to the commit; fails as a whole, leaving
     * nothing claimed. The answer is how many rows were new and the claims to mark done.
     * {@code claimedAhead} are claims already taken for the rows (null: take them now).
     */
    private Uni<Written> attempt(
            List<Stored> rows, List<EventRow> repeats, StoreMode mode, Map<DedupKey, ClaimState> claimedAhead) {
        Uni<Map<DedupKey, ClaimState>> claims =
                claimedAhead != null ? Uni.createFrom().item(claimedAhead) : claim(keys(rows));
        return claims.chain(states -> {
            List<EventRow> toInsert = new ArrayList<>();
            List<EventRow> alreadyStored = new ArrayList<>(repeats);
            List<DedupKey> claimed = new ArrayList<>();
            int doneInRedis = 0;
            for (Stored row : rows) {
                if (mode.trustsDoneMarks() && states.get(row.row().key()) == ClaimState.DONE) {
                    alreadyStored.add(row.row());
                    doneInRedis++;
                } else {
                    toInsert.add(row.row());
                    claimed.add(row.row().key());
                }
            }
            steps.reached(Step.AFTER_CLAIM);
            int foundInRedis = doneInRedis;
            return timed(writing, () -> writer.insertNew(toInsert, alreadyStored, mode.countsDuplicates()))
                    .onFailure()
                    .call(() -> dedup.release(claimed, owner).onFailure().recoverWithNull())
                    .map(inserted -> {
                        steps.reached(Step.AFTER_DB_COMMIT);
                        duplicatesInRedis.increment(foundInRedis);
                        stored.increment(inserted);
                        duplicatesInDatabase.increment(toInsert.size() - inserted);
                        return new Written(inserted, claimed);
                    });
        });
    }

    /**
     * Marks committed events {@code done}. Failing here costs only the fast path: a later copy
     * of an event finds its claim instead, waits out the lease, and the constraint decides.
     */
    private Uni<Void> markDone(Written written) {
        return timed(markingDone, () -> dedup.markDone(written.claimed(), config.doneTtl()))
                .onFailure()
                .invoke(failure -> LOG.debugf("could not mark events done in Redis: %s", failure))
                .onFailure()
                .recoverWithNull();
    }

    /**
     * Claims {@code keys}. An event held by another live owner is being stored elsewhere (a
     * rebalance moved its partition): wait out that owner's lease once and look again; after
     * that the database constraint decides. With Redis unreachable, every event counts as
     * claimed and the constraint decides alone.
     */
    private Uni<Map<DedupKey, ClaimState>> claim(List<DedupKey> keys) {
        return claimOrAssume(keys).chain(states -> {
            List<DedupKey> heldElsewhere = keys.stream()
                    .filter(key -> states.get(key) == ClaimState.HELD_ELSEWHERE)
                    .toList();
            if (heldElsewhere.isEmpty()) {
                return Uni.createFrom().item(states);
            }
            return Uni.createFrom()
                    .voidItem()
                    .onItem()
                    .delayIt()
                    .by(config.claimLease())
                    .chain(() -> claimOrAssume(heldElsewhere))
                    .map(again -> {
                        Map<DedupKey, ClaimState> merged = new LinkedHashMap<>(states);
                        again.forEach((key, state) ->
                                merged.put(key, state == ClaimState.DONE ? ClaimState.DONE : ClaimState.CLAIMED));
                        return merged;
                    });
        });
    }

    private Uni<Map<DedupKey, ClaimState>> claimOrAssume(List<DedupKey> keys) {
        return dedup.claim(keys, owner, config.claimLease())
                .invoke(() -> {
                    if (redisAnswering.compareAndSet(false, true)) {
                        LOG.info("Redis answers dedup claims again");
                    }
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    claimsWithoutRedis.increment(keys.size());
                    if (redisAnswering.compareAndSet(true, false)) {
                        LOG.warnf(
                                "Redis does not answer dedup claims (%s): storing on, the database constraint alone keeps"
                                        + " events unique (sluice.sink.claims.without.redis counts them)",
                                failure.toString());
                    }
                    Map<DedupKey, ClaimState> assumed = new LinkedHashMap<>();
                    keys.forEach(key -> assumed.put(key, ClaimState.CLAIMED));
                    return assumed;
                });
    }

    private static Timer stepTimer(MeterRegistry metrics, String step, String description) {
        return Timer.builder("sluice.sink.step")
                .tag("step", step)
                .description(description)
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    private static <T> Uni<T> timed(Timer timer, Supplier<Uni<T>> step) {
        return Uni.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start();
            return step.get().onTermination().invoke(() -> sample.stop(timer));
        });
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
