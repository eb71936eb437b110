package io.sluice.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads Sluice's own credentials: {@code Authorization: Bearer slk_...} API keys (and the
 * bootstrap key), and {@code ?ticket=} on the alert stream. Any other bearer token is left to
 * SmallRye JWT's mechanism, which runs after this one. A request with no credentials stays
 * anonymous here, and the endpoint's role check answers 401.
 */
@ApplicationScoped
class SluiceAuthenticationMechanism implements HttpAuthenticationMechanism {

    static final String STREAM_PATH = "/v1/alerts/stream";
    private static final String BEARER = "bearer ";
    private static final ChallengeData CHALLENGE =
            new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"sluice\"");

    private final BootstrapKey bootstrap;

    SluiceAuthenticationMechanism(BootstrapKey bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String token = bearerToken(authorization);
            if (token != null) {
                byte[] hash = ApiKeyFormat.hash(token);
                if (ApiKeyFormat.looksLikeKey(token) || bootstrap.matches(hash)) {
                    return identities.authenticate(
                            HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyRequest(token, hash), context));
                }
            }
            return Uni.createFrom().nullItem();
        }
        String ticket =
                STREAM_PATH.equals(context.normalizedPath()) ? context.request().getParam("ticket") : null;
        if (ticket != null) {
            return identities.authenticate(
                    HttpSecurityUtils.setRoutingContextAttribute(new StreamTicketRequest(ticket), context));
        }
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class, StreamTicketRequest.class);
    }

    /** Before SmallRye JWT's mechanism, which would refuse an API key as a malformed JWT. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    private static String bearerToken(String authorization) {
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }
}
