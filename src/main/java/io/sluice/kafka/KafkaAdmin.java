package io.sluice.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One Kafka Admin client for Sluice's own questions to the cluster (readiness, topic
 * settings), built from the same {@code kafka.*} connection settings as the channels, so
 * security settings apply to it too. Every caller bounds its own calls with a timeout.
 */
@ApplicationScoped
public class KafkaAdmin {

    private final Admin admin;

    KafkaAdmin(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                settings.put(key, value);
            }
        });
        settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin");
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        this.admin = Admin.create(settings);
    }

    public Admin client() {
        return admin;
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ZERO);
    }
}
