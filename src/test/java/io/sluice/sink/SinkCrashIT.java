package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.record.EventHeaders;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.RetryingSender;
import io.sluice.testing.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crashes the packaged application again and again at one step of the dedup protocol (a halt
 * without shutdown hooks, as SIGKILL), restarts it, and counts: every event exactly once.
 * {@code -Dsink.crash.halts=N} sets the crashes per step (default 50; the long run uses 1000),
 * {@code -Dsink.crash.steps=after-db-commit,...} limits the run to some steps (default all).
 */
class SinkCrashIT {

    private static final int HALTS = Integer.getInteger("sink.crash.halts", 50);
    private static final String STEPS = System.getProperty("sink.crash.steps", "");
    /** Events produced at a time; a tenth of them is produced twice, as a retrying client would. */
    private static final int CHUNK = 200;

    private static final Map<String, String> STACK = LocalStackResource.sharedConfig();
    private static final Path PROJECT =
            Path.of(System.getProperty("stack.project-dir", "")).toAbsolutePath();
    /**
     * The application's classes as the JVM has them after a run (a dynamic class-data-sharing
     * archive): each of the many short-lived JVMs maps them instead of loading them again, which
     * takes a third off a start. Made once per test JVM, so it always matches the packaged jar.
     */
    private static final Path CLASS_ARCHIVE = PROJECT.resolve("target/sink-crash-classes.jsa");

    private static boolean classArchiveTried;
    private static boolean classArchiveMade;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "sink-crash-" + run + ".events";
    private final String source = "/sink-crash/" + run;
    private final Random random = new Random(run.hashCode());
    private int events;
    private int records;

    @ParameterizedTest(name = "halt {0}")
    @ValueSource(strings = {"after-claim", "after-db-commit", "after-offset-commit"})
    void everyEventIsStoredExactlyOnceAcrossRepeatedCrashes(String step) throws Exception {
        Assumptions.assumeTrue(
                STEPS.isBlank() || List.of(STEPS.split(",")).contains(step), "step not chosen by -Dsink.crash.steps");
        SinkFixture.migrateDatabase();
        createTopics();
        makeClassArchive();

        int halts = 0;
        int runs = 0;
        int runsWithoutProgress = 0;
        while (halts < HALTS) {
            long stored = rows();
            if (stored == events) {
                // Everything so far is stored: give the next runs more to crash on.
                produce(CHUNK);
            }
            runs++;
            if (runApplication(step, 1 + random.nextInt(3)) == FaultInjector.HALT_STATUS) {
                halts++;
                runsWithoutProgress = 0;
            } else if (rows() == stored && stored < events) {
                // A run that neither reached the step nor stored anything in its 90 s: the sink
                // is stuck, and waiting longer would only hide it.
                runsWithoutProgress++;
                assertThat(runsWithoutProgress)
                        .as(
                                "runs in a row that neither halted nor stored a row (%d of %d stored)%s",
                                stored, events, diagnosis())
                        .isLessThan(3);
            }
        }
        // One more run without faults drains whatever is left.
        runUntilStored();

        System.out.printf(
                "sink crash test, %s: %d halts in %d runs; %d records of %d distinct events -> %d rows%n",
                step, halts, runs, records, events, rows());
        String diagnosis = rows() == events ? "" : diagnosis();
        assertThat(rows()).as("rows%s", diagnosis).isEqualTo(events);
        assertThat(distinctIds()).as("distinct ids").isEqualTo(events);
        assertThat(deadLettered()).as("dead-lettered").isZero();
    }

    /**
     * What a reader of a failed run needs to tell a loss from a stall: which events are missing,
     * whether they were dead-lettered, and whether the group committed past them.
     */
    private String diagnosis() throws Exception {
        StringBuilder text = new StringBuilder("\n  log: target/sink-crash-" + run + ".log");
        List<String> missing = new ArrayList<>();
        try (Connection db = SinkFixture.database();
                var query = db.prepareStatement(
                        "SELECT 'e-' || i FROM generate_series(0, ?) AS i"
                                + " WHERE 'e-' || i NOT IN (SELECT event_id FROM events WHERE tenant = 'default' AND source = ?) ORDER BY i LIMIT 20")) {
            query.setInt(1, events - 1);
            query.setString(2, source);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    missing.add(result.getString(1));
                }
            }
        }
        text.append("\n  missing (first 20): ").append(missing);
        text.append("\n  dead-lettered: ").append(deadLettered());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("sink-crash-" + run)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            committed.forEach((partition, offset) -> text.append("\n  ")
                    .append(partition)
                    .append(": committed ")
                    .append(offset == null ? "none" : offset.offset())
                    .append(" of ")
                    .append(ends.get(partition).offset()));
        }
        return text.toString();
    }

    private long deadLettered() {
        try (TopicProbe dlq = new TopicProbe(bootstrap(), topic + ".dlq")) {
            Map<TopicPartition, Long> start = new HashMap<>();
            dlq.mark().keySet().forEach(partition -> start.put(partition, 0L));
            return dlq.countSince(start);
        }
    }

    /** Runs the application until it halts (its exit status) or has stored everything (0). */
    private int runApplication(String haltAt, int occurrence) throws Exception {
        Process app = start(List.of(
                "-Dsluice.sink.fault.halt-at=" + haltAt,
                "-Dsluice.sink.fault.halt-on-occurrence=" + occurrence,
                "-Dmp.messaging.incoming.events-sink.interceptor.classes=" + OffsetCommitFaults.class.getName()));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        int idle = 0;
        while (System.nanoTime() < deadline) {
            if (app.waitFor(500, TimeUnit.MILLISECONDS)) {
                return app.exitValue();
            }
            // All stored and the step did not come round again: no crash this time.
            idle = rows() == events ? idle + 1 : 0;
            if (idle >= 4) {
                break;
            }
        }
        // No halt at the step this time: end it as a crash all the same (SIGKILL).
        app.destroyForcibly();
        app.waitFor(30, TimeUnit.SECONDS);
        return 0;
    }

    /** A run without faults that writes the class archive when it exits (a clean exit: SIGTERM). */
    private void makeClassArchive() throws Exception {
        if (classArchiveTried) {
            return;
        }
        classArchiveTried = true;
        Files.deleteIfExists(CLASS_ARCHIVE);
        produce(CHUNK);
        runUntilStored(List.of("-XX:ArchiveClassesAtExit=" + CLASS_ARCHIVE));
        // A JVM that cannot write one only starts slower.
        classArchiveMade = Files.isRegularFile(CLASS_ARCHIVE);
        System.out.printf(
                "sink crash test: class archive %s%n", classArchiveMade ? "made" : "NOT made, starting without");
    }

    private void runUntilStored() throws Exception {
        runUntilStored(List.of());
    }

    private void runUntilStored(List<String> jvmOptions) throws Exception {
        Process app = start(jvmOptions);
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (rows() < events && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            Thread.sleep(2_000); // a late duplicate would land within this
        } finally {
            app.destroy();
            // Writing the class archive at exit takes a few seconds more.
            app.waitFor(2, TimeUnit.MINUTES);
        }
    }

    /** Starts the packaged application; {@code options} are JVM options and {@code -D} settings. */
    private Process start(List<String> options) throws Exception {
        // C1 only: these JVMs live seconds, and start-up is most of their life.
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        if (classArchiveMade) {
            command.add("-XX:SharedArchiveFile=" + CLASS_ARCHIVE);
        }
        STACK.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of(
                "-Dquarkus.http.port=0",
                // Health and metrics' port too: no fixed port for another process to hold.
                "-Dquarkus.management.port=0",
                // The test migrated the schema once; each of the hundreds of starts need not check.
                "-Dsluice.schema.migrate-at-start=false",
                "-Dquarkus.log.console.json.enabled=false",
                "-Dsluice.topics.events=" + topic,
                "-Dsluice.topics.dead-letter=" + topic + ".dlq",
                "-Dmp.messaging.incoming.events-sink.group.id=sink-crash-" + run,
                // Static membership: a restarted instance takes its partitions back at once
                // instead of waiting for the crashed one's session to time out.
                "-Dmp.messaging.incoming.events-sink.group.instance.id=sink-crash-" + run,
                "-Dmp.messaging.incoming.events-sink.max.poll.records=20",
                "-Dmp.messaging.incoming.events-sink.auto.commit.interval.ms=200",
                "-Dsluice.sink.claim-lease=2s",
                // The acknowledged-events ledger is not under test here, and would rejoin its group at every start.
                "-Dsluice.reconcile.ledger-enabled=false"));
        command.addAll(options);
        command.addAll(List.of(
                "-jar", PROJECT.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        Path log = PROJECT.resolve("target/sink-crash-" + run + ".log");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1), new NewTopic(topic + ".dlq", 6, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Produces {@code count} new events, a tenth of them twice, shuffled in. */
    private void produce(int count) {
        List<Integer> order = new ArrayList<>();
        for (int i = events; i < events + count; i++) {
            order.add(i);
            if (i % 10 == 0) {
                order.add(events + random.nextInt(i - events + 1));
            }
        }
        List<ProducerRecord<String, byte[]>> batch = new ArrayList<>(order.size());
        for (int i : order) {
            String event = "{\"specversion\":\"1.0\",\"id\":\"e-" + i + "\",\"source\":\"" + source
                    + "\",\"type\":\"crash.test\",\"subject\":\"s-" + (i % 13) + "\",\"data\":{\"i\":" + i + "}}";
            ProducerRecord<String, byte[]> record =
                    new ProducerRecord<>(topic, "s-" + (i % 13), event.getBytes(StandardCharsets.UTF_8));
            record.headers().add(EventHeaders.TENANT, "default".getBytes(StandardCharsets.UTF_8));
            record.headers()
                    .add(EventHeaders.ACCEPTED_AT, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
            batch.add(record);
        }
        // Duplicates are what this test is about; a record that never arrives would leave it
        // waiting for an event no run can store.
        RetryingSender.sendAll(bootstrap(), batch);
        events += count;
        records += order.size();
    }

    private long rows() throws Exception {
        return count("SELECT count(*) FROM events WHERE tenant = 'default' AND source = ?");
    }

    private long distinctIds() throws Exception {
        return count("SELECT count(DISTINCT event_id) FROM events WHERE tenant = 'default' AND source = ?");
    }

    private long count(String sql) throws Exception {
        try (Connection db = SinkFixture.database();
                var query = db.prepareStatement(sql)) {
            query.setString(1, source);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static String bootstrap() {
        return STACK.get("kafka.bootstrap.servers");
    }
}
