package io.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleKind;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox's stream numbers, against the real PostgreSQL: transactions that append for one
 * tenant at the same time get numbers without gaps or repeats, and a transition that is
 * already in the history takes no number.
 */
@QuarkusTest
class AlertBatchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    private final String tenant = "alert-batch-test-" + UUID.randomUUID();
    private final Rule rule = new Rule(
            tenant,
            "r1",
            1,
            "batch",
            RuleKind.THRESHOLD,
            "warning",
            null,
            new Rule.Threshold("/v", ">", 0),
            null,
            null,
            Instant.now(),
            Instant.now());

    @Test
    void concurrentBatchesOfOneTenantGetEveryNumberOnceAndInOrderOfTheirAppends() {
        int batches = 8;
        int perBatch = 50;
        appendFirings("first"); // the tenant's stream row exists: the batches must queue on its lock
        List<Uni<Integer>> writes = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int batch = b;
            writes.add(pool.withTransaction(tx -> {
                AlertBatch alerts = new AlertBatch(new HashMap<>());
                for (int i = 0; i < perBatch; i++) {
                    alerts.fire(rule, tenant, "s-" + batch + "-" + i, Instant.EPOCH, details(i));
                }
                return alerts.write(tx);
            }));
        }
        List<Integer> appended = Uni.join().all(writes).andFailFast().await().atMost(WAIT);

        assertThat(appended).containsOnly(perBatch);
        List<Long> seqs = seqs();
        assertThat(seqs)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1 + batches * perBatch)
                        .boxed()
                        .toList());
        assertThat(position()).isEqualTo(1 + batches * perBatch);
        // Within a batch, the numbers follow the order the transitions were decided in.
        List<String> subjects = column("subject");
        for (int b = 0; b < batches; b++) {
            String prefix = "s-" + b + "-";
            List<String> ofBatch =
                    subjects.stream().filter(s -> s.startsWith(prefix)).toList();
            assertThat(ofBatch)
                    .containsExactlyElementsOf(LongStream.range(0, perBatch)
                            .mapToObj(i -> prefix + i)
                            .toList());
        }
    }

    @Test
    void aTransitionAlreadyInTheHistoryTakesNoNumber() {
        appendFirings("a", "b");
        int again = pool.withTransaction(tx -> {
                    AlertBatch alerts = new AlertBatch(new HashMap<>());
                    alerts.fire(rule, tenant, "b", Instant.EPOCH, details(0)); // already there
                    alerts.fire(rule, tenant, "c", Instant.EPOCH, details(0));
                    return alerts.write(tx);
                })
                .await()
                .atMost(WAIT);

        assertThat(again).isEqualTo(1);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(column("subject")).containsExactly("a", "b", "c");
        assertThat(position()).isEqualTo(3);
    }

    @Test
    void aBatchThatFiresResolvesAndFiresTheSameWindowAppendsEachTransitionOnce() {
        int written = pool.withTransaction(tx -> {
                    AlertBatch alerts = new AlertBatch(new HashMap<>());
                    alerts.fire(rule, tenant, "x", Instant.EPOCH, details(1));
                    alerts.resolve(rule, tenant, "x", details(0));
                    alerts.fire(rule, tenant, "x", Instant.EPOCH, details(2));
                    return alerts.write(tx);
                })
                .await()
                .atMost(WAIT);

        assertThat(written).isEqualTo(2);
        assertThat(column("status")).containsExactly("firing", "resolved");
        assertThat(pool.preparedQuery("SELECT count(*) FROM alert_firing WHERE tenant = $1")
                        .execute(Tuple.of(tenant))
                        .await()
                        .atMost(WAIT)
                        .iterator()
                        .next()
                        .getLong(0))
                .as("it fires again at the end of the batch")
                .isEqualTo(1);
    }

    @AfterEach
    void forgetTenant() {
        for (String table : List.of("alerts", "alert_streams", "alert_firing")) {
            pool.preparedQuery("DELETE FROM " + table + " WHERE tenant = $1")
                    .execute(Tuple.of(tenant))
                    .await()
                    .atMost(WAIT);
        }
    }

    private void appendFirings(String... subjects) {
        pool.withTransaction(tx -> {
                    AlertBatch alerts = new AlertBatch(new HashMap<>());
                    for (String subject : subjects) {
                        alerts.fire(rule, tenant, subject, Instant.EPOCH, details(0));
                    }
                    return alerts.write(tx);
                })
                .await()
                .atMost(WAIT);
    }

    private static ObjectNode details(int value) {
        return JsonNodeFactory.instance.objectNode().put("value", value);
    }

    private List<Long> seqs() {
        List<Long> seqs = new ArrayList<>();
        pool.preparedQuery("SELECT seq FROM alerts WHERE tenant = $1 ORDER BY seq")
                .execute(Tuple.of(tenant))
                .await()
                .atMost(WAIT)
                .forEach(row -> seqs.add(row.getLong(0)));
        return seqs;
    }

    private List<String> column(String name) {
        List<String> values = new ArrayList<>();
        pool.preparedQuery("SELECT " + name + " FROM alerts WHERE tenant = $1 ORDER BY seq")
                .execute(Tuple.of(tenant))
                .await()
                .atMost(WAIT)
                .forEach(row -> values.add(row.getString(0)));
        return values;
    }

    private long position() {
        return pool.preparedQuery("SELECT last_seq FROM alert_streams WHERE tenant = $1")
                .execute(Tuple.of(tenant))
                .await()
                .atMost(WAIT)
                .iterator()
                .next()
                .getLong(0);
    }
}
