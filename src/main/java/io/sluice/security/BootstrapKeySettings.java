package io.sluice.security;

import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;

/**
 * Whether the bootstrap admin key ({@code sluice.security.bootstrap-admin-key}) is strong enough
 * to be guessed at: at least {@value #MIN_LENGTH} characters and an estimated {@value #MIN_BITS}
 * bits. It is admin for every tenant and, unlike an API key, has no id to look up: anyone may
 * guess it from any address, at the rate {@code sluice.security.failed-auth} allows per address
 * and replica. A weaker key refuses start-up, as a lax JWT setting does ({@link JwtSettings}).
 *
 * <p>The estimate is the length times log2 of the alphabet its character classes span
 * (lower case 26, upper case 26, digits 10, anything else 33): right for a random key, too high
 * for words, so it catches the short, the numeric and the obviously made-up, not every weak key.
 * A key with white space at either end is refused too: a bearer token cannot carry it (a Secret
 * written with {@code echo} keeps the newline), so that key could never be presented.
 */
@ApplicationScoped
public class BootstrapKeySettings {

    public static final int MIN_LENGTH = 32;
    public static final int MIN_BITS = 128;
    static final String PROPERTY = "sluice.security.bootstrap-admin-key";
    private static final int LOWER = 1;
    private static final int UPPER = 2;
    private static final int DIGIT = 4;
    private static final int OTHER = 8;

    /**
     * What the setting says.
     *
     * @param set whether a bootstrap key is configured
     * @param found the key in a few words, for the pitfall report (never the key, nor its length
     *     once it passes)
     * @param problem why start-up refuses, or null
     */
    public record Verdict(boolean set, String found, String problem) {}

    public static Verdict of(Optional<String> key) {
        if (key.isEmpty() || key.get().isBlank()) {
            return new Verdict(false, "unset", null);
        }
        String value = key.get();
        if (!value.strip().equals(value)) {
            return new Verdict(
                    true,
                    "set, with white space at an end",
                    PROPERTY + " begins or ends with white space, which no bearer token can carry: the key"
                            + " could never be presented (was the Secret written with a trailing newline?)");
        }
        int length = value.codePointCount(0, value.length());
        long bits = (long) Math.floor(estimatedBits(value));
        if (length < MIN_LENGTH || bits < MIN_BITS) {
            String found = length + " characters, about " + bits + " bits";
            return new Verdict(
                    true,
                    found,
                    PROPERTY + " is too weak (" + found + "): it must have at least " + MIN_LENGTH
                            + " characters and " + MIN_BITS + " bits, since it is admin for every tenant and"
                            + " anyone may guess at it; make one with `openssl rand -hex 32`");
        }
        // Nothing more about a key in use: the report is read by every tenant's admins.
        return new Verdict(true, "set, at least " + MIN_LENGTH + " characters and " + MIN_BITS + " bits", null);
    }

    /** Length times log2 of the alphabet of the character classes used. */
    static double estimatedBits(String key) {
        int classes = 0;
        for (int i = 0; i < key.length(); ) {
            int c = key.codePointAt(i);
            i += Character.charCount(c);
            classes |= classOf(c);
        }
        int alphabet = ((classes & LOWER) != 0 ? 26 : 0)
                + ((classes & UPPER) != 0 ? 26 : 0)
                + ((classes & DIGIT) != 0 ? 10 : 0)
                + ((classes & OTHER) != 0 ? 33 : 0);
        return key.codePointCount(0, key.length()) * (Math.log(alphabet) / Math.log(2));
    }

    private static int classOf(int c) {
        if (c >= 'a' && c <= 'z') {
            return LOWER;
        }
        if (c >= 'A' && c <= 'Z') {
            return UPPER;
        }
        return c >= '0' && c <= '9' ? DIGIT : OTHER;
    }

    void refuseWeakKey(@Observes StartupEvent startup, SluiceConfig config) {
        refuseWeak(config.security().bootstrapAdminKey());
    }

    static void refuseWeak(Optional<String> key) {
        String problem = of(key).problem();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }
}
