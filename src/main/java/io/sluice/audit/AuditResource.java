package io.sluice.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.error.RequestNumbers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** {@code GET /v1/admin/audit}: the caller's tenant's admin actions (the bootstrap key: everyone's). */
@Path("/v1/admin/audit")
@RolesAllowed(Scopes.ADMIN)
public class AuditResource {

    private static final int MAX_LIMIT = 1000;

    private final AuditLog audit;
    private final Caller caller;

    AuditResource(AuditLog audit, Caller caller) {
        this.audit = audit;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Admin actions after an entry id, oldest first")
    @APIResponse(
            responseCode = "200",
            description = "The audit entries, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "after is not a non-negative integer, or limit is not an integer from 1 to 1000")
    public Uni<JsonNode> entries(
            @QueryParam("after") @DefaultValue("0") String afterParam,
            @QueryParam("limit") @DefaultValue("100") String limitParam) {
        long after = RequestNumbers.nonNegative(afterParam, "after");
        int limit = RequestNumbers.between(limitParam, "limit", 1, MAX_LIMIT);
        return audit.after(caller.boundTenant().orElse(null), after, limit).map(entries -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (AuditLog.Recorded entry : entries) {
                ObjectNode node = array.addObject();
                node.put("id", entry.id());
                node.put("at", entry.at().toString());
                node.put("tenant", entry.tenant());
                node.put("actor", entry.actor());
                node.put("action", entry.action());
                node.put("target", entry.target());
                node.set("detail", entry.detail());
            }
            return array;
        });
    }
}
