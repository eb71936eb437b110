package io.sluice.caller;

import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/**
 * Who is calling, as far as the data path cares: the tenant its credential is bound to and the
 * credential's id. The tenant always comes from here, never from a request body, a path or a
 * header the client chose.
 */
@RequestScoped
public class Caller {

    /** The identity attribute naming the tenant the credential is bound to (absent: none). */
    public static final String TENANT_ATTRIBUTE = "sluice.tenant";

    /** The identity attribute naming the credential ({@link #credential()}). */
    public static final String CREDENTIAL_ATTRIBUTE = "sluice.credential";

    private final SecurityIdentity identity;

    Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller's tenant; a credential bound to no tenant (the bootstrap key) gets 403 here. */
    public String tenant() {
        return boundTenant()
                .orElseThrow(() -> ProblemException.of(
                        ProblemType.FORBIDDEN,
                        "This credential is bound to no tenant; use a key or token of the tenant."));
    }

    /** The tenant the credential is bound to; empty for the bootstrap key, which acts for every tenant. */
    public Optional<String> boundTenant() {
        return Optional.ofNullable(identity.getAttribute(TENANT_ATTRIBUTE));
    }

    /**
     * Whether the caller is the platform's operator: a credential bound to no tenant (the
     * bootstrap key). Platform-wide views (every tenant's figures, Kafka's settings) are theirs.
     */
    public boolean platformOperator() {
        return boundTenant().isEmpty();
    }

    /** Passes for the platform's operator; a tenant's credential, whatever its scopes, gets 403 here. */
    public void requirePlatformOperator() {
        if (!platformOperator()) {
            throw ProblemException.of(
                    ProblemType.FORBIDDEN,
                    "This is a view of the whole platform: only its operator's credential, bound to no tenant, sees it.");
        }
    }

    /**
     * Passes for the platform's operator and for a credential bound to {@code tenant}; a
     * credential of any other tenant gets 403 with {@code refusal}.
     */
    public void requireOwnTenant(String tenant, String refusal) {
        boundTenant().ifPresent(own -> {
            if (!own.equals(tenant)) {
                throw ProblemException.of(ProblemType.FORBIDDEN, refusal);
            }
        });
    }

    /** The credential's id ({@code key:<id>}, {@code jwt:<tenant>/<subject>} or {@code bootstrap}): never a secret. */
    public String credential() {
        String credential = identity.getAttribute(CREDENTIAL_ATTRIBUTE);
        return credential != null ? credential : identity.getPrincipal().getName();
    }
}
