package io.sluice.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * This replica's view of {@code sluice.alerts}: every replica reads the whole topic (a consumer
 * group of its own, from the end) and hands each alert to the stream subscriptions of its
 * tenant. Kafka only wakes subscriptions up quickly; what they send comes in stream order,
 * filled from the history where the live feed skips or repeats.
 */
@ApplicationScoped
public class AlertHub {

    private static final Logger LOG = Logger.getLogger(AlertHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Set<AlertSubscription>> byTenant = new ConcurrentHashMap<>();
    private final Timer lag;

    AlertHub(MeterRegistry metrics) {
        lag = Timer.builder("sluice.alerts.relay.lag")
                .description(
                        "From an alert being raised (written, just before its commit) to its arrival here from the alerts topic")
                .publishPercentiles(0.5, 0.9, 0.99)
                .register(metrics);
    }

    @Incoming("alerts-live")
    @NonBlocking
    void receive(ConsumerRecord<String, byte[]> record) {
        Alert alert;
        try {
            alert = Alert.fromRecord(JSON.readTree(record.value()));
        } catch (IOException | RuntimeException e) {
            LOG.warnf(
                    "skipping an unreadable record on the alerts topic (%s-%d@%d): %s",
                    record.topic(), record.partition(), record.offset(), e.toString());
            return;
        }
        lag.record(Duration.between(alert.raisedAt(), Instant.now()));
        Set<AlertSubscription> subscriptions = byTenant.getOrDefault(alert.tenant(), Set.of());
        if (!subscriptions.isEmpty()) {
            String json = alert.toJson().toString();
            for (AlertSubscription subscription : subscriptions) {
                subscription.live(alert, json);
            }
        }
    }

    void add(AlertSubscription subscription) {
        byTenant.computeIfAbsent(subscription.tenant(), tenant -> ConcurrentHashMap.newKeySet())
                .add(subscription);
    }

    void remove(AlertSubscription subscription) {
        byTenant.computeIfPresent(subscription.tenant(), (tenant, subscriptions) -> {
            subscriptions.remove(subscription);
            return subscriptions.isEmpty() ? null : subscriptions;
        });
    }

    public int subscriptions() {
        return byTenant.values().stream().mapToInt(Set::size).sum();
    }
}
