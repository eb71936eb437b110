package io.sluice.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which JSON texts ingest and the sink may read without building every string. */
class Utf8Test {

    @Test
    void asciiAndValidUtf8WithoutUnicodeEscapesArePlain() {
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"b\"}"))).isTrue();
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"q\\\"uote\\\\ \\n\"}"))).isTrue();
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"é 😀\"}"))).isTrue();
        assertThat(Utf8.plainJsonStrings(json(""))).isTrue();
    }

    @Test
    void aUnicodeEscapeOrInvalidUtf8IsNotPlain() {
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"\\u0000\"}"))).isFalse();
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"\\ud800\"}"))).isFalse();
        assertThat(Utf8.plainJsonStrings(json("{\"a\":\"é\\u00e9\"}"))).isFalse();
        // an overlong encoding of '/' and a UTF-8 encoded surrogate, which Jackson accepts
        assertThat(Utf8.plainJsonStrings(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}))
                .isFalse();
        assertThat(Utf8.plainJsonStrings(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}))
                .isFalse();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
