package io.sluice.event;

/**
 * Strict UTF-8 validation (RFC 3629): rejects overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences. Jackson decodes UTF-8 leniently in places (it accepts
 * some overlong and surrogate encodings), and a string PostgreSQL later refuses must be
 * refused at the door, not in the sink. Allocation-free, ASCII runs at one comparison a byte.
 */
public final class Utf8 {

    private Utf8() {}

    /**
     * Whether every string of the JSON text {@code json} is plain: the text is strict UTF-8 and
     * holds no {@code \}{@code u} escape (or what looks like one), the only way JSON spells a NUL
     * or a lone surrogate. Raw control characters need no look: JSON parsers refuse them in
     * strings. One pass for the usual all-ASCII text; a second one checks the rest strictly.
     */
    public static boolean plainJsonStrings(byte[] json) {
        boolean ascii = true;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == '\\' && i + 1 < json.length && json[i + 1] == 'u') {
                return false;
            }
            ascii &= b >= 0;
        }
        return ascii || firstInvalid(json) < 0;
    }

    /** Returns the offset of the first invalid byte, or -1 when {@code bytes} is valid UTF-8. */
    public static int firstInvalid(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int lead = b & 0xFF;
            int length;
            int min;
            if (lead >= 0xC2 && lead <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                return i; // continuation byte without a lead, C0/C1 (always overlong), or F5..FF
            }
            if (i + length > n) {
                return i;
            }
            int codePoint = lead & (0xFF >> (length + 1));
            for (int k = 1; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    return i;
                }
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                return i;
            }
            i += length;
        }
        return -1;
    }
}
