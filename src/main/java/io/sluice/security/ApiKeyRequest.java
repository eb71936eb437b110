package io.sluice.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token shaped like a Sluice API key, or the bootstrap admin key. */
final class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;

    ApiKeyRequest(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    @Override
    public String toString() {
        return "ApiKeyRequest"; // never the key: requests end up in debug logs
    }
}
