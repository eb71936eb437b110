package io.sluice.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox ({@code alerts} not yet relayed) to {@code sluice.alerts}, keyed by
 * tenant, and marks rows relayed only once Kafka acknowledged them. Every replica runs it;
 * {@code FOR UPDATE SKIP LOCKED} keeps two from relaying the same rows at once. A crash
 * between the acknowledgement and the mark relays a row again: subscribers skip stream
 * numbers they have seen, so that is harmless.
 */
@ApplicationScoped
public class AlertRelay {

    private static final Logger LOG = Logger.getLogger(AlertRelay.class);

    private final Pool pool;
    private final MutinyEmitter<byte[]> alerts;
    private final Vertx vertx;
    private final SluiceConfig.Alerts config;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer;
    private final AtomicBoolean again = new AtomicBoolean();
    private final Timer pages;

    AlertRelay(
            Pool pool,
            @Channel("alerts-out") MutinyEmitter<byte[]> alerts,
            Vertx vertx,
            SluiceConfig config,
            MeterRegistry metrics) {
        this.pool = pool;
        this.alerts = alerts;
        this.vertx = vertx;
        this.config = config.alerts();
        this.pages = Timer.builder("sluice.alerts.relay.page")
                .description("One relay transaction: lock a page of the outbox, publish it, wait for the acks, mark it")
                .publishPercentiles(0.5, 0.9, 0.99)
                .register(metrics);
    }

    void start(@Observes StartupEvent startup) {
        timer = vertx.setPeriodic(config.relayInterval().toMillis(), id -> kick());
    }

    /** The pool closes on shutdown: no more rounds that could only fail. */
    void stop(@Observes ShutdownEvent shutdown) {
        vertx.cancelTimer(timer);
    }

    /** Relays what is waiting now; if a relay is under way, it runs once more when done. */
    public void kick() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        Timer.Sample sample = Timer.start();
        relayOnce()
                .invoke(() -> sample.stop(pages))
                .subscribe()
                .with(relayed -> finished(relayed >= config.relayBatch()), failure -> {
                    LOG.warnf("relaying alerts to Kafka failed, retrying: %s", failure.toString());
                    finished(false);
                });
    }

    private void finished(boolean moreWaiting) {
        running.set(false);
        if (moreWaiting || again.get()) {
            kick();
        }
    }

    /** One transaction: lock a page of unrelayed alerts, publish, wait for every ack, mark. */
    Uni<Integer> relayOnce() {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT " + AlertLog.COLUMNS + " FROM alerts WHERE relayed_at IS NULL"
                        + " ORDER BY tenant, seq LIMIT $1 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(config.relayBatch()))
                .map(AlertLog::all)
                .chain(page ->
                        publish(page).chain(() -> markRelayed(connection, page)).replaceWith(page.size())));
    }

    private Uni<Void> publish(List<Alert> page) {
        if (page.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = new ArrayList<>(page.size());
        for (Alert alert : page) {
            OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(alert.tenant())
                    .build();
            byte[] value = alert.toRecord().toString().getBytes(StandardCharsets.UTF_8);
            sends.add(alerts.sendMessage(Message.of(value).addMetadata(metadata)));
        }
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    private static Uni<Void> markRelayed(SqlConnection connection, List<Alert> page) {
        if (page.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] tenants = page.stream().map(Alert::tenant).toArray(String[]::new);
        Long[] seqs = page.stream().map(Alert::seq).toArray(Long[]::new);
        return connection
                .preparedQuery(
                        "UPDATE alerts SET relayed_at = now() FROM unnest($1::text[], $2::bigint[]) AS r(tenant, seq)"
                                + " WHERE alerts.tenant = r.tenant AND alerts.seq = r.seq")
                .execute(Tuple.of(tenants, seqs))
                .replaceWithVoid();
    }
}
