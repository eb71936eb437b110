package io.sluice.health;

import io.quarkus.runtime.configuration.MemorySize;
import io.sluice.ingest.InFlightBudget;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the in-flight budget ({@code sluice.ingest.max-in-flight-bytes}) has room
 * for one more request of the largest size (or a quarter of the budget, if that is smaller): a
 * replica whose Kafka acknowledgements lag so far behind that it would answer 503 at once is
 * taken out of the Service until they catch up, and the others get the traffic.
 */
@Readiness
@ApplicationScoped
public class IngestBufferReadinessCheck implements HealthCheck {

    private final InFlightBudget budget;
    private final long headroom;

    IngestBufferReadinessCheck(
            InFlightBudget budget, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.budget = budget;
        this.headroom = Math.min(maxBody.asLongValue(), budget.limit() / 4);
    }

    @Override
    public HealthCheckResponse call() {
        long used = budget.used();
        long free = budget.limit() - used;
        return HealthCheckResponse.named("ingest-buffer")
                .status(free >= headroom)
                .withData("inFlightBytes", used)
                .withData("maxInFlightBytes", budget.limit())
                .build();
    }
}
