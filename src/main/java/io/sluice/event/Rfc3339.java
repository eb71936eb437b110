package io.sluice.event;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Reads a CloudEvent's {@code time}, an RFC 3339 timestamp. Every event's time is read at ingest
 * and twice more in the sink, and java.time's ISO parser, with its optional sections, took an
 * eighth of the sink's CPU (a profile of 2026-12-02). The usual shape,
 * {@code 2026-11-25T20:14:03[.fraction](Z|+hh:mm)}, is read here directly; every other shape goes
 * to {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}, which also judges anything the direct read
 * finds wrong, so the two accept exactly the same texts and give the same values.
 */
public final class Rfc3339 {

    private static final int[] NANOS_PER_DIGIT = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
    };

    private Rfc3339() {}

    /** The timestamp, or null if {@code text} is not one. */
    public static OffsetDateTime parseOrNull(String text) {
        OffsetDateTime direct = readUsualShape(text);
        return direct != null ? direct : parseGenerally(text);
    }

    /** RFC 3339 allows lower-case 't' and 'z'; java.time's ISO parser wants them upper-case. */
    private static OffsetDateTime parseGenerally(String text) {
        try {
            return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The usual shape read directly; null for anything else, valid or not. Lower-case 't' and
     * 'z' are read too, as RFC 3339 allows.
     */
    public static OffsetDateTime readUsualShape(String text) {
        int length = text.length();
        if (length < 20
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || (text.charAt(10) | 0x20) != 't'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int first = ++at;
            while (at < length && isDigit(text.charAt(at))) {
                if (at - first == NANOS_PER_DIGIT.length) {
                    return null; // more than nanoseconds
                }
                nanos += (text.charAt(at) - '0') * NANOS_PER_DIGIT[at - first];
                at++;
            }
            if (at == first) {
                return null;
            }
        }
        ZoneOffset offset = offset(text, at);
        if (offset == null) {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 7);
        int day = number(text, 8, 10);
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null; // not digits where digits belong
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
        } catch (DateTimeException e) {
            return null; // the general parser judges it
        }
    }

    /** {@code Z}, {@code z} or {@code ±hh:mm} ending the text at {@code at}; null for anything else. */
    private static ZoneOffset offset(String text, int at) {
        int left = text.length() - at;
        if (left == 1 && (text.charAt(at) | 0x20) == 'z') {
            return ZoneOffset.UTC;
        }
        char sign = left == 6 ? text.charAt(at) : 0;
        if ((sign != '+' && sign != '-') || text.charAt(at + 3) != ':') {
            return null;
        }
        int hours = number(text, at + 1, at + 3);
        int minutes = number(text, at + 4, at + 6);
        if (hours < 0 || minutes < 0) {
            return null;
        }
        try {
            return sign == '+'
                    ? ZoneOffset.ofHoursMinutes(hours, minutes)
                    : ZoneOffset.ofHoursMinutes(-hours, -minutes);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The decimal number in {@code [from, to)}, or -1 if a character there is not a digit. */
    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
