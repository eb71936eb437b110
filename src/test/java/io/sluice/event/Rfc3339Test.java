package io.sluice.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct read of the usual shape must agree with java.time's ISO parser on every text: the
 * same value where it accepts, null where it refuses. Checked on chosen edge cases and on
 * thousands of one-character mutations of valid timestamps.
 */
class Rfc3339Test {

    private static final List<String> CHOSEN = List.of(
            "2026-11-25T20:14:03Z",
            "2026-11-25t20:14:03z",
            "2026-11-25T20:14:03.1Z",
            "2026-11-25T20:14:03.123456789Z",
            "2026-11-25T20:14:03.1234567891Z",
            "2026-11-25T20:14:03.Z",
            "2026-11-25T20:14:03+01:00",
            "2026-11-25T20:14:03.5-07:30",
            "2026-11-25T20:14:03-00:00",
            "2026-11-25T20:14:03+18:00",
            "2026-11-25T20:14:03+18:01",
            "2026-11-25T20:14:03+19:00",
            "2026-11-25T20:14:03+01:60",
            "2026-11-25T20:14:03+0100",
            "2026-11-25T20:14:03+01",
            "2026-11-25T20:14:03+01:00:30",
            "2026-11-25T20:14Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T23:59:60Z",
            "2026-02-29T10:00:00Z",
            "2024-02-29T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-00-01T10:00:00Z",
            "0000-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "2026-11-25 20:14:03Z",
            "2026-11-25T20:14:03",
            "2026-11-25T20:14:03ZZ",
            "２０２６-11-25T20:14:03Z",
            "2026-1-25T20:14:03Z",
            "");

    @Test
    void chosenEdgeCasesAgreeWithTheIsoParser() {
        CHOSEN.forEach(Rfc3339Test::assertAgrees);
        assertThat(Rfc3339.parseOrNull("2026-11-25T20:14:03.5-07:30"))
                .isEqualTo(OffsetDateTime.parse("2026-11-25T20:14:03.500-07:30"));
    }

    @Test
    void theUsualShapesAreReadWithoutTheIsoParser() {
        assertThat(List.of(
                        "2026-11-25T20:14:03Z",
                        "2026-11-25t20:14:03.123z",
                        "2026-11-25T20:14:03.123456789+05:30",
                        "2026-11-25T20:14:03-08:00"))
                .allSatisfy(text -> assertThat(Rfc3339.readUsualShape(text)).isNotNull());
    }

    @Test
    void everyOneCharacterMutationOfValidTimestampsAgreesWithTheIsoParser() {
        Random random = new Random(3339);
        String alphabet = "0123456789-+:.TtZz x";
        List<String> valid = new ArrayList<>(List.of(
                "2026-11-25T20:14:03Z", "1999-12-31T23:59:59.999999999+14:00", "2026-11-25T20:14:03.123-05:45"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(valid.get(random.nextInt(valid.size())));
            int at = random.nextInt(text.length());
            switch (random.nextInt(3)) {
                case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> text.deleteCharAt(at);
                default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertAgrees(text.toString());
        }
    }

    private static void assertAgrees(String text) {
        assertThat(Rfc3339.parseOrNull(text)).as("'%s'", text).isEqualTo(isoParser(text));
    }

    private static OffsetDateTime isoParser(String text) {
        try {
            return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
