package io.sluice.health;

import io.sluice.config.SluiceConfig;
import io.sluice.kafka.KafkaAdmin;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the Kafka cluster answers. Replaces Quarkus' built-in Kafka check, whose
 * request waits for the admin client's default API timeout (60 s) when no broker answers:
 * far beyond any probe's timeout, so a dead broker looked like a hung pod instead of DOWN.
 * Here every check is bounded by {@code sluice.health.kafka-timeout}.
 */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "kafka";

    private final Admin admin;
    private final Duration timeout;

    KafkaReadinessCheck(KafkaAdmin admin, SluiceConfig config) {
        this.admin = admin.client();
        this.timeout = config.health().kafkaTimeout();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                .nodes();
        return Uni.createFrom()
                .completionStage(nodes.toCompletionStage())
                .map(brokers -> HealthCheckResponse.named(NAME)
                        .status(!brokers.isEmpty())
                        .withData("brokers", brokers.size())
                        .build())
                .onFailure()
                .recoverWithItem(failure -> HealthCheckResponse.named(NAME)
                        .down()
                        .withData("reason", failure.getClass().getSimpleName().replace("Exception", ""))
                        .build());
    }
}
