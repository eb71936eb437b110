package io.sluice.event;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Reads the {@code sluice-accepted-at} header, which ingest writes with
 * {@link Instant#toString()}: {@code 2026-11-25T20:14:03.123456Z}. The sink reads one per
 * record, and {@link Instant#parse}'s general ISO parser cost as much as parsing the event's
 * JSON; the usual shape is read directly (the event time's reader, {@link Rfc3339}) and every
 * other text (years past 9999, a leap second, lower-case letters, which {@link Instant#parse}
 * refuses, anything a redrive wrote) goes to {@link Instant#parse}, so it accepts exactly what
 * that accepts.
 */
public final class AcceptedAt {

    private AcceptedAt() {}

    /** @throws java.time.format.DateTimeParseException as {@link Instant#parse} does */
    public static Instant parse(String text) {
        boolean upperCase = text.indexOf('t') < 0 && text.indexOf('z') < 0;
        OffsetDateTime direct = upperCase ? Rfc3339.readUsualShape(text) : null;
        return direct != null ? direct.toInstant() : Instant.parse(text);
    }
}
