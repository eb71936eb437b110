package io.sluice.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

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
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "201",
            description = "The key, with the secret (key) shown this once; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "The body is not well-formed JSON, or not a JSON object")
    @APIResponse(
            responseCode = "422",
            description =
                    "The key request is not valid (see errors), or the tenant holds its quota of keys (quota: keys)")
    public Uni<Response> create(byte[] body) {
        ApiKeyStore.Grant grant = parser.parse(body, caller.boundTenant().orElse(null));
        caller.requireOwnTenant(grant.tenant(), "An admin key of one tenant cannot create keys for another.");
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
    @APIResponse(
            responseCode = "200",
            description = "The keys, without their secrets, revoked and expired ones included",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
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
    @APIResponse(responseCode = "204", description = "The key is revoked")
    @APIResponse(
            responseCode = "404",
            description = "The tenant has no usable key with this id (none, another tenant's, or revoked already)")
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
