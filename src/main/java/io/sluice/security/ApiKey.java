package io.sluice.security;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Set;

/** A stored API key: never the key itself, only its hash. */
record ApiKey(String id, String tenant, Set<String> scopes, byte[] hash, Instant expiresAt, Instant revokedAt) {

    /** Whether the key whose hash is {@code presentedHash} is this key, and it may be used at {@code now}. */
    boolean admits(byte[] presentedHash, Instant now) {
        // Compared in constant time: how long a comparison takes must not tell how much matched.
        return admits(now) && MessageDigest.isEqual(hash, presentedHash);
    }

    /** Whether this key may be used at {@code now}: neither revoked nor expired. */
    boolean admits(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
