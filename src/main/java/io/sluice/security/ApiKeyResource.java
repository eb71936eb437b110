package io.sluice.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code /v1/admin/keys}: create, list and revoke API keys. A tenant's admin manages its own
 * tenant's keys only; the bootstrap key manages every tenant's. Another tenant's key is as
 * absent as one that never was (404).
 */
@Path("/v1/admin/keys")
@RolesAllowed(Scopes.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    private final ApiKeys keys;
    private final Caller caller;
    private final KeyRequestParser parser = new KeyRequestParser();

    ApiKeyResource(ApiKeys keys, Caller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create an API key for a tenant and scopes; the key is in this answer only")
    public Uni<Response> create(byte[] body) {
        ApiKeyStore.Grant grant = parser.parse(body, caller.boundTenant().orElse(null));
        caller.boundTenant().ifPresent(own -> {
            if (!own.equals(grant.tenant())) {
                throw ProblemException.of(
                        ProblemType.FORBIDDEN, "An admin key of one tenant cannot create keys for another.");
            }
        });
        return keys.create(grant, caller.credential()).map(created -> {
            ObjectNode answer = view(created.stored());
            answer.put("key", created.key());
            return Response.created(
                            URI.create("/v1/admin/keys/" + created.stored().id()))
                    .entity(answer)
                    .build();
        });
    }

    @GET
    @Operation(summary = "List the keys of the caller's tenant (the bootstrap key: of ?tenant=, or of all)")
    public Uni<JsonNode> list(@QueryParam("tenant") String tenant) {
        String scope = caller.boundTenant().orElse(tenant);
        return keys.list(scope).map(listed -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            listed.forEach(key -> array.add(view(key)));
            return array;
        });
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke a key: it stops working at once here, within sluice.security.key-refresh elsewhere")
    public Uni<Response> revoke(@PathParam("id") String id) {
        return keys.revoke(id, caller.boundTenant().orElse(null), caller.credential())
                .map(revoked -> {
                    if (!revoked) {
                        throw ProblemException.of(ProblemType.NOT_FOUND, "There is no usable key " + id + ".");
                    }
                    return Response.noContent().build();
                });
    }

    private static ObjectNode view(ApiKeyStore.Listed key) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", key.id());
        node.put("tenant", key.tenant());
        ArrayNode scopes = node.putArray("scopes");
        key.scopes().forEach(scopes::add);
        if (key.description() != null) {
            node.put("description", key.description());
        }
        node.put("createdBy", key.createdBy());
        node.put("createdAt", key.createdAt().toString());
        if (key.expiresAt() != null) {
            node.put("expiresAt", key.expiresAt().toString());
        }
        if (key.revokedAt() != null) {
            node.put("revokedAt", key.revokedAt().toString());
        }
        return node;
    }
}
