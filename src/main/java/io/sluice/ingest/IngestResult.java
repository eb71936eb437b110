package io.sluice.ingest;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** The answer to an ingest request: how many events Kafka acknowledged, and each event's outcome. */
@RegisterForReflection
public record IngestResult(int accepted, List<EventOutcome> results) {

    static IngestResult of(List<EventOutcome> results) {
        int accepted = (int) results.stream().filter(EventOutcome::isAccepted).count();
        return new IngestResult(accepted, results);
    }

    boolean allAccepted() {
        return accepted == results.size();
    }

    boolean noneAccepted() {
        return accepted == 0;
    }
}
