package io.sluice.pitfalls;

import io.sluice.config.SluiceConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The pitfall guard in readiness: its failures are named in the check's data; in strict mode
 * any failure is DOWN, so a replica configured to lose data never gets traffic. The report is
 * re-made at most every {@code sluice.pitfalls.recheck-interval}: a probe does not question
 * the cluster each time.
 */
@Readiness
@ApplicationScoped
public class PitfallReadinessCheck implements AsyncHealthCheck {

    private final PitfallGuard guard;
    private final boolean strict;
    private final Duration recheck;

    PitfallReadinessCheck(PitfallGuard guard, SluiceConfig config) {
        this.guard = guard;
        this.strict = config.pitfalls().strict();
        this.recheck = config.pitfalls().recheckInterval();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return guard.recent(recheck).map(report -> {
            var response = HealthCheckResponse.named("pitfalls").status(!(strict && report.failed()));
            response.withData("strict", strict);
            report.pitfalls().stream()
                    .filter(pitfall -> pitfall.status() == Pitfall.Status.FAIL)
                    .forEach(pitfall -> response.withData(pitfall.check(), pitfall.found()));
            return response.build();
        });
    }
}
