package io.sluice.sink;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Reads the {@code sluice-accepted-at} header, which ingest writes with
 * {@link Instant#toString()}: {@code 2026-11-25T20:14:03.123456Z}. The sink reads one per
 * record, and {@link Instant#parse}'s general ISO parser cost as much as parsing the event's
 * JSON; this reads that one shape directly and leaves every other shape (years past 9999, a
 * leap second, anything a redrive wrote) to {@link Instant#parse}, so it accepts exactly what
 * that accepts.
 */
final class AcceptedAt {

    private static final int[] NANOS_PER_DIGIT = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
    };

    private AcceptedAt() {}

    /** @throws java.time.format.DateTimeParseException as {@link Instant#parse} does */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 20
                || length == 21
                || length > 30
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z'
                || length > 20 && text.charAt(19) != '.') {
            return Instant.parse(text);
        }
        try {
            int nanos = 0;
            for (int i = 20; i < length - 1; i++) {
                nanos += digit(text, i) * NANOS_PER_DIGIT[i - 20];
            }
            return LocalDateTime.of(
                            number(text, 0, 4),
                            number(text, 5, 7),
                            number(text, 8, 10),
                            number(text, 11, 13),
                            number(text, 14, 16),
                            number(text, 17, 19),
                            nanos)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException | NumberFormatException e) {
            return Instant.parse(text); // the general parser decides, and explains
        }
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + digit(text, i);
        }
        return value;
    }

    private static int digit(String text, int at) {
        char c = text.charAt(at);
        if (c < '0' || c > '9') {
            throw new NumberFormatException("not a digit at " + at);
        }
        return c - '0';
    }
}
