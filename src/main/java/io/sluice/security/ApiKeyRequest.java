package io.sluice.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer token shaped like a Sluice API key, or the bootstrap admin key, with its SHA-256
 * made once: the bootstrap check and the key check both compare hashes.
 */
final class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;
    private final byte[] hash;

    ApiKeyRequest(String key, byte[] hash) {
        this.key = key;
        this.hash = hash;
    }

    String key() {
        return key;
    }

    byte[] hash() {
        return hash;
    }

    @Override
    public String toString() {
        return "ApiKeyRequest"; // never the key: requests end up in debug logs
    }
}
