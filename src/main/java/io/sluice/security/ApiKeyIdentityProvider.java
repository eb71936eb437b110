package io.sluice.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/** Turns an API key (or the bootstrap key) into an identity; anything else it refuses. */
@Singleton
class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    private final ApiKeys keys;
    private final BootstrapKey bootstrap;

    ApiKeyIdentityProvider(ApiKeys keys, BootstrapKey bootstrap) {
        this.keys = keys;
        this.bootstrap = bootstrap;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        if (bootstrap.matches(request.hash())) {
            return Uni.createFrom().item(Identities.bootstrap());
        }
        return keys.verify(request.key(), request.hash()).map(key -> {
            if (key == null) {
                throw new AuthenticationFailedException("unknown, revoked or expired API key");
            }
            return Identities.ofKey(key);
        });
    }
}
