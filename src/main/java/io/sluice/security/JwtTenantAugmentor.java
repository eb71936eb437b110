package io.sluice.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.sluice.caller.Caller;
import io.sluice.caller.TenantName;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Binds a verified JWT (signature, issuer, audience and expiry checked by SmallRye JWT, see
 * {@link JwtSettings}) to its tenant ({@code sluice.security.jwt.tenant-claim}); a token
 * without one, or whose tenant is not a tenant name, is refused, since every read and write is
 * scoped by tenant. Its scopes come from the {@code scope} claim (SmallRye JWT's
 * {@code smallrye.jwt.path.groups}). Its credential id names the tenant as well as the subject:
 * the same subject in two tenants is two credentials, with a rate bucket and stream cap each.
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
        if (!TenantName.isValid(tenant)) {
            return Uni.createFrom()
                    .failure(new AuthenticationFailedException(
                            "the token's " + tenantClaim + " claim is not a tenant name: " + TenantName.RULE));
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder(identity)
                        .addAttribute(Caller.TENANT_ATTRIBUTE, tenant)
                        .addAttribute(Caller.CREDENTIAL_ATTRIBUTE, "jwt:" + tenant + "/" + token.getName())
                        .build());
    }

    private static String text(Object claim) {
        if (claim instanceof JsonString json) {
            return json.getString();
        }
        return claim instanceof String string ? string : null;
    }
}
