package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.LocalStack;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.SinkTopicsResource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL itself stopped (fast shutdown: every connection of the application is cut) and
 * started again while events keep coming: nothing lost, nothing twice, and at no moment an
 * offset committed for an event that has no row.
 */
@QuarkusTest
@TestProfile(SinkTest.OwnTopics.class)
class SinkPostgresRestartTest {

    private static final String BOOTSTRAP = LocalStackResource.sharedConfig().get("kafka.bootstrap.servers");
    private static final Duration DOWN_FOR = Duration.ofSeconds(8);

    private final SinkFixture fixture = new SinkFixture();

    @Test
    void aPostgresRestartMidRunLosesNothingAndNoOffsetIsCommittedAheadOfItsRow() throws Exception {
        List<ObjectNode> events = fixture.events(3_000);
        LocalStack stack = LocalStack.shared(1);
        ScheduledExecutorService auditor = Executors.newSingleThreadScheduledExecutor();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            CommitAudit audit = CommitAudit.start(
                    admin, SinkTopicsResource.consumerGroup, SinkTopicsResource.eventsTopic, 6, fixture.source);
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicInteger audits = new AtomicInteger();
            auditor.scheduleWithFixedDelay(
                    () -> {
                        try {
                            violations.addAll(audit.violations());
                            audits.incrementAndGet();
                        } catch (SQLException databaseAway) {
                            // while PostgreSQL is down the rule is checked below, by offsets alone
                        } catch (Exception e) {
                            violations.add("audit failed: " + e);
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);

            postInBatches(events.subList(0, 1_000));
            fixture.awaitRows(1_000, Duration.ofSeconds(60));
            awaitAudits(audits, 3);

            Map<TopicPartition, Long> committedWhileDown;
            stack.stopPostgres();
            try {
                postInBatches(events.subList(1_000, 2_000));
                // What was stored before the stop may still be committed in the first moments.
                Thread.sleep(2_000);
                committedWhileDown = audit.committed();
                Thread.sleep(DOWN_FOR.minusSeconds(2).toMillis());
                assertThat(audit.committed())
                        .as("offsets committed while PostgreSQL was down")
                        .isEqualTo(committedWhileDown);
            } finally {
                stack.startPostgres();
            }
            int auditsBeforeRestart = audits.get();
            postInBatches(events.subList(2_000, 3_000));

            fixture.awaitRows(3_000, Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(audit.committed().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum())
                            .isGreaterThan(committedWhileDown.values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum()));
            // Audits fail while PostgreSQL is away; some must have run once it was back.
            awaitAudits(audits, auditsBeforeRestart + 3);
            auditor.shutdown();
            assertThat(auditor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            assertThat(fixture.rows()).isEqualTo(3_000);
            assertThat(fixture.distinctIds()).isEqualTo(3_000);
            assertThat(audit.violations()).isEmpty();
            assertThat(violations).isEmpty();
        } finally {
            auditor.shutdownNow();
        }
    }

    /** Waits (bounded) until the periodic audit has run successfully {@code count} times. */
    private static void awaitAudits(AtomicInteger audits, int count) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(audits.get()).as("audits made").isGreaterThanOrEqualTo(count));
    }

    private static void postInBatches(List<ObjectNode> events) {
        for (int from = 0; from < events.size(); from += 50) {
            SinkFixture.post(events.subList(from, Math.min(events.size(), from + 50)));
        }
    }
}
