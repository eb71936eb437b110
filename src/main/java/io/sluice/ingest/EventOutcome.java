package io.sluice.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What became of one event of a request: 202 with where Kafka stored it, or 503 with why it
 * was not stored (the client may retry it with the same id: that never creates a duplicate).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventOutcome(
        int index, String source, String id, int status, Integer partition, Long offset, String detail) {

    static EventOutcome accepted(int index, String source, String id, int partition, long offset) {
        return new EventOutcome(index, source, id, 202, partition, offset, null);
    }

    static EventOutcome unavailable(int index, String source, String id, String detail) {
        return new EventOutcome(index, source, id, 503, null, null, detail);
    }

    boolean isAccepted() {
        return status == 202;
    }
}
