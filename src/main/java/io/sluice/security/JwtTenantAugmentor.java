package io.sluice.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Binds a verified JWT to its tenant ({@code sluice.security.jwt.tenant-claim}); a token
 * without one is refused, since every read and write is scoped by tenant. Its scopes come from
 * the {@code scope} claim (SmallRye JWT's {@code smallrye.jwt.path.groups}).
 */
@ApplicationScoped
class JwtTenantAugmentor implements SecurityIdentityAugmentor {

    private final String tenantClaim;

    JwtTenantAugmentor(SluiceConfig config) {
        this.tenantClaim = config.security().jwt().tenantClaim();
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        String tenant = text(token.getClaim(tenantClaim));
        if (tenant == null || tenant.isBlank()) {
            return Uni.createFrom()
                    .failure(new AuthenticationFailedException("the token has no " + tenantClaim + " claim"));
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder(identity)
                        .addAttribute(Identities.TENANT, tenant)
                        .addAttribute(Identities.CREDENTIAL, "jwt:" + token.getName())
                        .build());
    }

    private static String text(Object claim) {
        if (claim instanceof JsonString json) {
            return json.getString();
        }
        return claim instanceof String string ? string : null;
    }
}
