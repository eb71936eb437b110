package io.sluice.security;

import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;

/** The admin key from configuration ({@code sluice.security.bootstrap-admin-key}), if one is set. */
@ApplicationScoped
class BootstrapKey {

    private final byte[] hash;

    BootstrapKey(SluiceConfig config) {
        this.hash = config.security()
                .bootstrapAdminKey()
                .filter(key -> !key.isBlank())
                .map(ApiKeyFormat::hash)
                .orElse(null);
    }

    /** Compares hashes, so the time taken tells nothing about the key, not even its length. */
    boolean matches(byte[] presentedHash) {
        return hash != null && MessageDigest.isEqual(hash, presentedHash);
    }
}
