package io.sluice.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast path must read exactly what {@link Instant#parse} reads, and refuse what it refuses. */
class AcceptedAtTest {

    @Test
    void readsWhatInstantToStringWritesAtEveryPrecision() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(AcceptedAt.parse(instant.toString())).isEqualTo(instant);
        }
    }

    /** Shapes other than toString's, good and bad: the same answer, or the same refusal. */
    @Test
    void anyOtherTextGetsInstantParsesAnswer() {
        for (String text : List.of(
                "2026-11-25T20:14:03.1Z", // fewer digits than toString writes
                "2026-11-25T20:14:03.Z", // an empty fraction
                "+10000-01-01T00:00:00Z", // a year past 9999
                "1970-01-01T00:00:00.000000000Z",
                "2026-11-25T24:00:00Z", // the end of the day: the next one's start
                "2026-11-25T23:59:60Z", // a leap second, smoothed
                "",
                "2026-11-25",
                "2026-13-25T20:14:03Z",
                "2026-02-30T20:14:03Z",
                "2026-11-25T20:14:03.1234567890Z",
                "2026-11-25T20:1x:03Z",
                "2026-11-25 20:14:03Z",
                "2026-11-25T20:14:03+01:00x")) {
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException refused) {
                assertThatThrownBy(() -> AcceptedAt.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(AcceptedAt.parse(text)).as(text).isEqualTo(expected);
        }
    }
}
