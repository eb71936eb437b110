package io.sluice.proof;

import io.sluice.testing.LocalStack;
import io.sluice.testing.PackagedReplica;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Everything the proof scenarios run against, as in production: the three-node Kafka cluster
 * (RF 3, min ISR 2, unclean election off), two packaged Sluice replicas sharing one consumer
 * group, a Redis of the suite's own and PostgreSQL — with the faults to inflict on each.
 * The gateway's endpoints are those of the replicas that are ready, as a Kubernetes Service
 * would list them.
 */
final class ProofSystem implements AutoCloseable {

    static final int PARTITIONS = 6;
    private static final Path PROJECT =
            Path.of(System.getProperty("stack.project-dir", "")).toAbsolutePath();
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    final String run;
    final String tenant;
    final String eventsTopic;
    final String deadLetterTopic;
    private final String group;
    private final LocalStack kafka = LocalStack.shared(3);
    private final LocalStack services = LocalStack.shared(1);
    private final ProofRedis redis;
    private final Admin admin;
    private final PackagedReplica[] replicas = new PackagedReplica[2];
    private final List<URI> ready = new CopyOnWriteArrayList<>();
    private final long startedNanos = System.nanoTime();
    private String key;

    private ProofSystem(String run, ProofRedis redis) {
        this.run = run;
        this.tenant = "proof-" + run;
        this.eventsTopic = "proof-" + run + ".events";
        this.deadLetterTopic = eventsTopic + ".dlq";
        this.group = "proof-" + run;
        this.redis = redis;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    static ProofSystem start(String run) throws Exception {
        ProofSystem system = new ProofSystem(run, ProofRedis.start(PROJECT));
        system.forgetEarlierRuns();
        system.createTopics();
        for (int i = 0; i < system.replicas.length; i++) {
            system.startReplica(i);
        }
        system.key = TestCredentials.createKey(system.ready.get(0), system.tenant, "ingest", "admin");
        return system;
    }

    /**
     * Deletes the rows of earlier proof runs: the last run's stay for a look after it, but the
     * test database must not grow by a suite (or by a long profile's two million rows) at every
     * run, or every other test's queries on {@code events} slow down with it.
     */
    private void forgetEarlierRuns() throws SQLException {
        try (Connection db = TestDatabase.connect()) {
            for (String table : List.of("events", "dedup_hits")) {
                try (var delete =
                        db.prepareStatement("DELETE FROM " + table + " WHERE tenant LIKE 'proof-%' AND tenant <> ?")) {
                    delete.setString(1, tenant);
                    int rows = delete.executeUpdate();
                    if (rows > 0) {
                        log("deleted " + rows + " rows of earlier proof runs from " + table);
                    }
                }
            }
        }
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    String key() {
        return key;
    }

    /** The replicas that answer ready right now. */
    List<URI> endpoints() {
        return List.copyOf(ready);
    }

    // --- Kafka

    /** The broker that leads partition 0 of the events topic now. */
    int leaderOfFirstPartition() throws Exception {
        return describe().partitions().get(0).leader().id();
    }

    void killBroker(int node) {
        log("SIGKILL broker " + node);
        kafka.kill(node);
    }

    void stopBroker(int node) {
        log("SIGTERM broker " + node);
        kafka.stop(node);
    }

    void startBroker(int node) {
        kafka.start(node);
        log("broker " + node + " started");
    }

    /** Waits until every partition of the events topic has all three replicas in sync again. */
    void awaitFullIsr() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                if (describe().partitions().stream().allMatch(p -> p.isr().size() == 3)) {
                    log("every partition has 3 replicas in sync");
                    return;
                }
            } catch (Exception clusterBusy) {
                // the metadata is not there yet: ask again
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the ISR of " + eventsTopic + " did not refill within 2 min");
    }

    private TopicDescription describe() throws Exception {
        return admin.describeTopics(List.of(eventsTopic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(eventsTopic);
    }

    /**
     * Waits until the sink has committed every record of the events topic, then a little
     * longer: a late duplicate would land within it.
     */
    void awaitSinkDrained(Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (lag() == 0) {
                Thread.sleep(2_000);
                return;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("the sink still lags " + lag() + " records after " + atMost);
    }

    private long lag() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo partition : describe().partitions()) {
            latest.put(new TopicPartition(eventsTopic, partition.partition()), OffsetSpec.latest());
        }
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    private void createTopics() throws Exception {
        Map<String, String> careful = Map.of(
                "min.insync.replicas", "2",
                "unclean.leader.election.enable", "false",
                "max.message.bytes", "2097152");
        admin.createTopics(List.of(
                        new NewTopic(eventsTopic, PARTITIONS, (short) 3).configs(careful),
                        new NewTopic(deadLetterTopic, PARTITIONS, (short) 3).configs(careful)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    // --- Sluice replicas

    void killReplica(int index) throws InterruptedException {
        log("SIGKILL replica " + index);
        PackagedReplica replica = replicas[index];
        ready.remove(replica.uri());
        replica.kill();
    }

    /** SIGTERM, as Kubernetes ends a pod: the replica drains and exits. */
    void stopReplicas(Collection<Integer> indexes) throws InterruptedException {
        log("SIGTERM replicas " + indexes);
        List<Thread> stopping = new ArrayList<>();
        for (int index : indexes) {
            PackagedReplica replica = replicas[index];
            ready.remove(replica.uri());
            Thread stop = new Thread(() -> {
                try {
                    replica.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stop.start();
            stopping.add(stop);
        }
        for (Thread thread : stopping) {
            thread.join();
        }
    }

    void startReplica(int index) throws Exception {
        replicas[index] = PackagedReplica.start(
                "proof-" + run + "-replica-" + index,
                List.of(
                        "-Dkafka.bootstrap.servers=" + bootstrap(),
                        "-Dquarkus.redis.hosts=" + redis.uri(),
                        "-Dsluice.topics.events=" + eventsTopic,
                        "-Dsluice.topics.dead-letter=" + deadLetterTopic,
                        "-Dmp.messaging.incoming.events-sink.group.id=" + group));
        replicas[index].awaitReady(READY_WITHIN);
        ready.add(replicas[index].uri());
        log("replica " + index + " ready at " + replicas[index].uri());
    }

    // --- Redis and PostgreSQL

    void killRedis() throws InterruptedException {
        log("SIGKILL Redis");
        redis.kill();
    }

    void startRedis() throws Exception {
        redis.start();
        log("Redis started again, empty");
    }

    void killPostgres() {
        log("PostgreSQL: immediate shutdown");
        services.killPostgres();
    }

    void startPostgres() {
        services.startPostgres();
        log("PostgreSQL started again");
    }

    void log(String message) {
        System.out.printf("proof %6.1f s: %s%n", (System.nanoTime() - startedNanos) / 1e9, message);
    }

    @Override
    public void close() throws Exception {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < replicas.length; i++) {
            if (replicas[i] != null) {
                all.add(i);
            }
        }
        stopReplicas(all);
        redis.close();
        admin.close();
    }
}
