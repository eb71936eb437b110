package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The answer written by hand is the answer the object mapper would write: byte for byte where
 * every string is ASCII, the same JSON otherwise (the hand-written one sends characters beyond
 * ASCII as UTF-8, where Jackson escapes a surrogate pair as two {@code \}{@code u} escapes).
 */
class IngestResultTest {

    @Test
    void handWrittenAnswerIsWhatTheObjectMapperWrites() throws Exception {
        IngestResult result = IngestResult.of(List.of(
                EventOutcome.accepted(0, "/sensors/\"quoted\"/é", "id-1\n", 3, 1_234_567_890_123L),
                EventOutcome.unavailable(1, "urn:x", "id-2", "Kafka did not acknowledge within 20 s."),
                EventOutcome.accepted(2, "/s", "😀", 0, 0),
                EventOutcome.refused(3, 4, "/tab\tand\u0001", "back\\slash", 422, "Line 4: not a valid CloudEvent."),
                EventOutcome.accepted(4, "/", "x".repeat(300), Integer.MAX_VALUE, Long.MAX_VALUE)));

        String byHand = new String(result.json(), StandardCharsets.UTF_8);
        String byMapper = new String(new ObjectMapper().writeValueAsBytes(result), StandardCharsets.UTF_8);

        assertThat(new ObjectMapper().readTree(byHand)).isEqualTo(new ObjectMapper().readTree(byMapper));
        assertThat(byHand).contains("\"id\":\"😀\"");
        assertThat(result.accepted()).isEqualTo(3);
        IngestResult ascii = IngestResult.of(result.results().subList(3, 5));
        assertThat(new String(ascii.json(), StandardCharsets.US_ASCII))
                .isEqualTo(new ObjectMapper().writeValueAsString(ascii));
    }
}
