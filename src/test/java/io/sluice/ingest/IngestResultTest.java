package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer written by hand is the answer the object mapper would write, byte for byte. */
class IngestResultTest {

    @Test
    void handWrittenAnswerIsWhatTheObjectMapperWrites() throws Exception {
        IngestResult result = IngestResult.of(List.of(
                EventOutcome.accepted(0, "/sensors/\"quoted\"/é", "id-1\n", 3, 1_234_567_890_123L),
                EventOutcome.unavailable(1, "urn:x", "id-2", "Kafka did not acknowledge within 20 s."),
                EventOutcome.accepted(2, "/s", "😀", 0, 0)));

        String byHand = new String(result.json(), StandardCharsets.UTF_8);
        String byMapper = new String(new ObjectMapper().writeValueAsBytes(result), StandardCharsets.UTF_8);

        assertThat(byHand).isEqualTo(byMapper);
        assertThat(result.accepted()).isEqualTo(2);
    }
}
