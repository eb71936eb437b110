package io.sluice.security;

import io.quarkus.security.AuthenticationFailedException;
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
 * bootstrap key), and {@code ?ticket=} on the alert stream. A bearer token shaped like a JWT is
 * left to SmallRye JWT's mechanism, which runs after this one; any other bearer token is a
 * guess at the bootstrap key and is refused here, so it counts against its address even where
 * JWTs are off. A request with no credentials stays anonymous here, and the endpoint's role
 * check answers 401.
 *
 * <p>Before any credential is looked at, the address's refused credentials are: past {@code
 * sluice.security.failed-auth.attempts} the request is refused unchecked ({@link
 * FailedAuthLimiter}). Running first, this holds for JWTs too.
 */
@ApplicationScoped
class SluiceAuthenticationMechanism implements HttpAuthenticationMechanism {

    static final String STREAM_PATH = "/v1/alerts/stream";
    private static final String BEARER = "bearer ";
    private static final ChallengeData CHALLENGE =
            new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"sluice\"");

    private final BootstrapKey bootstrap;
    private final FailedAuthLimiter failures;

    SluiceAuthenticationMechanism(BootstrapKey bootstrap, FailedAuthLimiter failures) {
        this.bootstrap = bootstrap;
        this.failures = failures;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        String ticket = authorization == null && STREAM_PATH.equals(context.normalizedPath())
                ? context.request().getParam("ticket")
                : null;
        if (authorization == null && ticket == null) {
            return Uni.createFrom().nullItem();
        }
        AuthenticationFailedException refusal = failures.refusal(context);
        if (refusal != null) {
            return Uni.createFrom().failure(refusal);
        }
        if (ticket != null) {
            return identities.authenticate(
                    HttpSecurityUtils.setRoutingContextAttribute(new StreamTicketRequest(ticket), context));
        }
        return bearer(authorization, context, identities);
    }

    private Uni<SecurityIdentity> bearer(
            String authorization, RoutingContext context, IdentityProviderManager identities) {
        String token = bearerToken(authorization);
        if (token == null) {
            return Uni.createFrom().nullItem(); // another scheme (Basic, ...): no credential of Sluice's
        }
        byte[] hash = ApiKeyFormat.hash(token);
        if (ApiKeyFormat.looksLikeKey(token) || bootstrap.matches(hash)) {
            return identities.authenticate(
                    HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyRequest(token, hash), context));
        }
        if (looksLikeJwt(token)) {
            return Uni.createFrom().nullItem(); // SmallRye JWT's to verify; its refusal counts as well
        }
        return Uni.createFrom().failure(new AuthenticationFailedException("neither an API key nor the bootstrap key"));
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

    /** Two or four dots (a signed or an encrypted token) among base64url characters. */
    private static boolean looksLikeJwt(String token) {
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!isBase64Url(c)) {
                return false;
            }
        }
        return dots == 2 || dots == 4;
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
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
