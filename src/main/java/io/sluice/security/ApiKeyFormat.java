package io.sluice.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys look like {@code slk_<id>_<secret>}: the prefix tells a key from a JWT at a glance
 * (and lets secret scanners find leaked ones), the id finds the stored hash without a scan,
 * and the secret carries 256 random bits.
 */
final class ApiKeyFormat {

    static final String PREFIX = "slk_";
    private static final int ID_BYTES = 8;
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private ApiKeyFormat() {}

    /** A new key, and the id it is stored under. */
    record NewKey(String id, String key) {}

    static NewKey generate() {
        String id = HEX.formatHex(randomBytes(ID_BYTES));
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(SECRET_BYTES));
        return new NewKey(id, PREFIX + id + "_" + secret);
    }

    /** The id inside {@code presented}, or null if it is not shaped like a Sluice key. */
    static String idOf(String presented) {
        if (!presented.startsWith(PREFIX)) {
            return null;
        }
        int end = presented.indexOf('_', PREFIX.length());
        if (end != PREFIX.length() + 2 * ID_BYTES) {
            return null;
        }
        return presented.substring(PREFIX.length(), end);
    }

    static boolean looksLikeKey(String presented) {
        return presented.startsWith(PREFIX);
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A random token of {@code bytes} bytes, URL-safe (stream tickets use it too). */
    static String randomToken(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
