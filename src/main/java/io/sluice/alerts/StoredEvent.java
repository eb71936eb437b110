package io.sluice.alerts;

import java.time.Instant;

/** An event the sink has just stored for the first time: what rules look at. */
public record StoredEvent(
        String tenant,
        String source,
        String id,
        String type,
        String subject,
        Instant time,
        Instant acceptedAt,
        String dataJson) {

    /** Rules group by subject; an event without one stands for its source. */
    public String groupKey() {
        return subject != null ? subject : source;
    }
}
