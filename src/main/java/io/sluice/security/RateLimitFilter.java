package io.sluice.security;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.sluice.caller.Caller;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.smallrye.mutiny.Uni;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Counts every authenticated API request against its credential's rate limit; past the limit
 * the answer is 429 with {@code Retry-After}. Requests without a valid credential are left to
 * the endpoints' role checks, which answer 401 before anything is counted.
 */
class RateLimitFilter {

    private final CurrentIdentityAssociation identities;
    private final RateLimiter limiter;

    RateLimitFilter(CurrentIdentityAssociation identities, RateLimiter limiter) {
        this.identities = identities;
        this.limiter = limiter;
    }

    @ServerRequestFilter
    Uni<Void> limit() {
        return identities.getDeferredIdentity().chain(identity -> {
            String credential = identity.isAnonymous() ? null : identity.getAttribute(Caller.CREDENTIAL_ATTRIBUTE);
            if (credential == null) {
                return Uni.createFrom().voidItem();
            }
            return limiter.admit(credential).map(wait -> {
                if (wait != null) {
                    throw new ProblemException(
                            Problem.of(
                                    ProblemType.TOO_MANY_REQUESTS,
                                    "This credential's request rate is used up; retry later."),
                            wait);
                }
                return null;
            });
        });
    }
}
