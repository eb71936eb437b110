package io.sluice.security;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.caller.Caller;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.quota.Quota;
import io.sluice.quota.Quotas;
import io.smallrye.mutiny.Uni;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Counts every authenticated API request against its credential's rate limit and then its
 * tenant's ({@code requests} quota: all the tenant's keys and tokens together, so more keys do
 * not buy more rate); past either the answer is 429 with {@code Retry-After}. Requests without
 * a valid credential are left to the endpoints' role checks, which answer 401 before anything
 * is counted.
 */
class RateLimitFilter {

    private final CurrentIdentityAssociation identities;
    private final RateLimiter limiter;
    private final Quotas quotas;

    RateLimitFilter(CurrentIdentityAssociation identities, RateLimiter limiter, Quotas quotas) {
        this.identities = identities;
        this.limiter = limiter;
        this.quotas = quotas;
    }

    @ServerRequestFilter
    Uni<Void> limit() {
        return identities.getDeferredIdentity().chain(identity -> {
            String credential = identity.isAnonymous() ? null : identity.getAttribute(Caller.CREDENTIAL_ATTRIBUTE);
            if (credential == null) {
                return Uni.createFrom().voidItem();
            }
            return limiter.admit(credential).chain(wait -> {
                if (wait != null) {
                    throw new ProblemException(
                            Problem.of(
                                    ProblemType.TOO_MANY_REQUESTS,
                                    "This credential's request rate is used up; retry later."),
                            wait);
                }
                return tenantLimit(identity);
            });
        });
    }

    private Uni<Void> tenantLimit(SecurityIdentity identity) {
        String tenant = identity.getAttribute(Caller.TENANT_ATTRIBUTE);
        if (tenant == null) {
            return Uni.createFrom().voidItem(); // the bootstrap key: bound to no tenant
        }
        int limit = quotas.of(tenant).requests();
        return limiter.admit("tenant:" + tenant, limit).map(wait -> {
            if (wait != null) {
                throw Quota.REQUESTS.exceeded(
                        limit, "The tenant's request rate, over all its credentials, is used up; retry later.", wait);
            }
            return null;
        });
    }
}
