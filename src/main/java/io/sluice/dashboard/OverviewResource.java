package io.sluice.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /v1/admin/overview}: what the operator dashboard shows, in one answer, and whose it
 * is depends on who asks. A tenant's admin sees that tenant alone ({@link TenantOverview}); the
 * platform's operator, a credential bound to no tenant, sees the platform ({@link PlatformOverview}).
 */
@Path("/v1/admin/overview")
@RolesAllowed(Scopes.ADMIN)
public class OverviewResource {

    private final Caller caller;
    private final TenantOverview tenant;
    private final PlatformOverview platform;

    OverviewResource(Caller caller, TenantOverview tenant, PlatformOverview platform) {
        this.caller = caller;
        this.tenant = tenant;
        this.platform = platform;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "What the dashboard shows: a tenant's dead letters, drift and last hour of reconciliation;"
                    + " for the platform operator, also the replica's ingest and sink totals, lag per partition and"
                    + " the pitfall report, every tenant's figures added up",
            description =
                    "scope says which: \"tenant\" for a tenant's admin key or token, \"platform\" for a credential"
                            + " bound to no tenant (the bootstrap key). A tenant's answer holds nothing of another tenant's"
                            + " and nothing of Kafka's settings.")
    @APIResponse(
            responseCode = "200",
            description = "What the dashboard shows",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public Uni<ObjectNode> overview() {
        return caller.boundTenant().map(tenant::of).orElseGet(platform::of);
    }
}
