package io.sluice.reconcile;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * Counts what Kafka acknowledged, from the events topic itself: a consumer group of its own
 * reads every record (headers only) and adds them per tenant and minute of acceptance to
 * {@code acknowledged_counts}, in the transaction that moves its position in
 * {@code ledger_positions}. A record a consumer can read is below the high watermark, in every
 * in-sync replica: exactly what {@code acks=all} acknowledges, whether or not the answer reached
 * the client, and whichever replica sent it.
 *
 * <p>Why this is exact through crashes: counts and positions are one transaction, so a crash
 * leaves both or neither and the records are read again from the saved position; and a
 * position only moves from the value this ledger read (compare and set), so a replica that lost
 * a partition in a rebalance, and still holds a poll of it, cannot add those records a second
 * time: its whole transaction is refused and it reads its positions again. Kafka's group only
 * shares the partitions out; no offset is committed to Kafka.
 */
@ApplicationScoped
public class AckLedger {

    private static final Logger LOG = Logger.getLogger(AckLedger.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final LedgerStore store;
    private final String topic;
    private final Map<String, Object> consumerSettings;
    /** Per assigned partition, the position saved in the table, which the consumer reads from. */
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();

    private boolean enabled;
    private volatile boolean running;
    private volatile KafkaConsumer<Void, Void> consumer;
    private Thread thread;

    @Inject
    AckLedger(Pool pool, SluiceConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this(pool, config.topics().events(), config.reconcile().ledgerGroup(), kafka);
        this.enabled = config.reconcile().ledgerEnabled();
    }

    /** A ledger of {@code topic} in consumer group {@code group}: the application's is of the events topic. */
    AckLedger(Pool pool, String topic, String group, Map<String, Object> kafka) {
        this.store = new LedgerStore(pool, topic);
        this.topic = topic;
        Map<String, Object> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                settings.put(key, value);
            }
        });
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-ledger");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Few, large transactions: the counts need not be fresher than a fraction of a second.
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        settings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024);
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 250);
        this.consumerSettings = settings;
    }

    void start(@Observes StartupEvent startup) {
        if (enabled) {
            LOG.debugf("the ledger counts what Kafka acknowledged on %s", topic);
            start();
        }
    }

    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        stop();
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "sluice-ledger");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<Void, Void> reading = consumer;
        if (reading != null) {
            reading.wakeup();
        }
        if (thread != null) {
            // Whatever it was doing is redone from the saved positions by the next ledger.
            thread.join(STOP_WAIT.toMillis());
        }
    }

    private void run() {
        try (KafkaConsumer<Void, Void> reader =
                new KafkaConsumer<>(consumerSettings, new HeadersOnly(), new HeadersOnly())) {
            consumer = reader;
            reader.subscribe(List.of(topic), new Assignments(reader));
            boolean failing = false;
            while (running) {
                try {
                    loadPositions(reader);
                    ConsumerRecords<Void, Void> records = reader.poll(POLL);
                    if (!records.isEmpty()) {
                        count(records);
                    }
                    if (failing) {
                        LOG.info("the ledger counts again");
                        failing = false;
                    }
                } catch (WakeupException e) {
                    // stop() asked: the loop ends.
                } catch (LedgerStore.PositionMoved e) {
                    LOG.infof("the ledger's positions moved elsewhere (a rebalance); reading them again");
                    positions.clear();
                } catch (RuntimeException e) {
                    // Once per outage: PostgreSQL or Kafka away fails every round until it is back.
                    if (failing) {
                        LOG.debugf("the ledger still cannot count: %s", e.getMessage());
                    } else {
                        LOG.warnf(
                                "the ledger cannot count, it reads the records again once it can: %s", e.getMessage());
                        failing = true;
                    }
                    positions.clear();
                    pause();
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "the ledger stopped; acknowledged counts are not kept on this replica until restart");
        }
    }

    /**
     * Reads the saved position of every assigned partition that has none here yet (a new
     * assignment, or a batch that was not saved) and moves the consumer there. A partition the
     * ledger has never seen starts at its first record.
     */
    private void loadPositions(KafkaConsumer<Void, Void> reader) {
        List<TopicPartition> unknown = new ArrayList<>();
        for (TopicPartition partition : reader.assignment()) {
            if (!positions.containsKey(partition.partition())) {
                unknown.add(partition);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map<Integer, Long> firsts = new HashMap<>();
        reader.beginningOffsets(unknown).forEach((partition, first) -> firsts.put(partition.partition(), first));
        Map<Integer, Long> saved = store.positions(firsts);
        for (TopicPartition partition : unknown) {
            long next = saved.get(partition.partition());
            reader.seek(partition, next);
            positions.put(partition.partition(), next);
        }
    }

    /** Adds a poll's records to the counts and moves the positions, in one transaction. */
    private void count(ConsumerRecords<Void, Void> records) {
        LedgerBatch batch = new LedgerBatch();
        // A partition assigned in this very poll is read from Kafka's own start until its saved
        // position is loaded: those records are left for after the seek.
        records.forEach(record -> {
            if (positions.containsKey(record.partition())) {
                batch.add(record);
            }
        });
        Map<Integer, Long> next = batch.nextOffsets();
        if (next.isEmpty()) {
            return;
        }
        store.save(positions, batch);
        positions.putAll(next);
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A partition taken away forgets its position; one given is read from its saved position. */
    private final class Assignments implements ConsumerRebalanceListener {
        private final KafkaConsumer<Void, Void> reader;

        Assignments(KafkaConsumer<Void, Void> reader) {
            this.reader = reader;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(partition -> positions.remove(partition.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(partition -> positions.remove(partition.partition()));
            try {
                loadPositions(reader);
            } catch (RuntimeException e) {
                // The loop tries again before its next poll.
                LOG.debugf("the ledger's positions could not be read yet: %s", e.getMessage());
            }
        }
    }

    /** The ledger reads headers only: keys and values are skipped, not even copied. */
    private static final class HeadersOnly implements Deserializer<Void> {
        @Override
        public Void deserialize(String topic, byte[] data) {
            return null;
        }

        @Override
        public Void deserialize(String topic, Headers headers, ByteBuffer data) {
            return null;
        }
    }
}
