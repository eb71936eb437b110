package io.sluice.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What became of one event of a request: 202 with where Kafka stored it, or 503 with why it
 * was not stored (the client may retry it with the same id: that never creates a duplicate).
 * In a line-delimited body, {@code line} is the event's line, and a line that holds no valid
 * event is refused on its own, 400 or 422 with why; it was not sent and retrying it unchanged
 * cannot succeed.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventOutcome(
        int index, Integer line, String source, String id, int status, Integer partition, Long offset, String detail) {

    static EventOutcome accepted(int index, String source, String id, int partition, long offset) {
        return new EventOutcome(index, null, source, id, 202, partition, offset, null);
    }

    static EventOutcome unavailable(int index, String source, String id, String detail) {
        return new EventOutcome(index, null, source, id, 503, null, null, detail);
    }

    static EventOutcome refused(int index, int line, String source, String id, int status, String detail) {
        return new EventOutcome(index, line, source, id, status, null, null, detail);
    }

    EventOutcome withLine(int line) {
        return new EventOutcome(index, line, source, id, status, partition, offset, detail);
    }

    boolean isUnavailable() {
        return status == 503;
    }

    boolean isAccepted() {
        return status == 202;
    }
}
