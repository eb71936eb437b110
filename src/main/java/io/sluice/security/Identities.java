package io.sluice.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import java.util.Set;

/**
 * The identities Sluice's own credentials stand for. Two attributes travel with every
 * identity: the tenant it is bound to (none for the bootstrap key) and the credential's id,
 * which rate limits and stream caps count by and the audit log names. Neither is secret.
 */
final class Identities {

    static final String BOOTSTRAP_CREDENTIAL = "bootstrap";
    /** An API key's credential id is this and the key's id. */
    static final String KEY_PREFIX = "key:";

    private Identities() {}

    static SecurityIdentity ofKey(ApiKey key) {
        return identity(KEY_PREFIX + key.id(), key.tenant(), key.scopes());
    }

    /** The bootstrap admin key: manages keys of every tenant, bound to none. */
    static SecurityIdentity bootstrap() {
        return identity(BOOTSTRAP_CREDENTIAL, null, Set.of(Scopes.ADMIN));
    }

    /** A redeemed stream ticket: the credential that asked for it, for the stream only. */
    static SecurityIdentity ofTicket(StreamTickets.Redeemed ticket) {
        return identity(ticket.credential(), ticket.tenant(), Set.of(Scopes.SUBSCRIBE));
    }

    private static SecurityIdentity identity(String credential, String tenant, Set<String> scopes) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(credential))
                .addRoles(scopes)
                .addAttribute(Caller.CREDENTIAL_ATTRIBUTE, credential);
        if (tenant != null) {
            builder.addAttribute(Caller.TENANT_ATTRIBUTE, tenant);
        }
        return builder.build();
    }
}
