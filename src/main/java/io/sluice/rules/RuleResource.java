package io.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.audit.AuditLog;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
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
 * {@code /v1/rules}: the caller's tenant's alert rules. Each change makes a new version; the
 * version is the ETag, and {@code If-Match} on PUT turns a lost update into 412.
 */
@Path("/v1/rules")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
public class RuleResource {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final RuleStore store;
    private final Caller caller;
    private final AuditLog audit;
    private final RuleParser parser;

    RuleResource(RuleStore store, Caller caller, AuditLog audit) {
        this.store = store;
        this.caller = caller;
        this.audit = audit;
        this.parser = new RuleParser();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create a rule (threshold, rate or absence)")
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "201",
            description = "The rule, at version 1; Location names it, ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "The body is not well-formed JSON, or not a JSON object")
    @APIResponse(
            responseCode = "422",
            description = "The rule is not valid (see errors), or the tenant holds its quota of rules (quota: rules)")
    public Uni<Response> create(byte[] body) {
        RuleParser.Draft draft = parser.parse(body);
        return store.create(caller.tenant(), draft)
                .call(rule -> audited("rule.created", rule))
                .map(rule -> Response.created(URI.create("/v1/rules/" + rule.id()))
                        .tag(etag(rule))
                        .entity(rule.toJson())
                        .build());
    }

    @GET
    @RolesAllowed({Scopes.SUBSCRIBE, Scopes.ADMIN})
    @Operation(summary = "List the tenant's rules")
    @APIResponse(
            responseCode = "200",
            description = "The tenant's rules",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public Uni<JsonNode> list() {
        return store.list(caller.tenant()).map(rules -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            rules.forEach(rule -> array.add(rule.toJson()));
            return array;
        });
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Scopes.SUBSCRIBE, Scopes.ADMIN})
    @Operation(summary = "One rule, at its current version")
    @APIResponse(
            responseCode = "200",
            description = "The rule; ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "404", description = "The tenant has no rule with this id")
    public Uni<Response> get(@PathParam("id") String id) {
        return store.get(caller.tenant(), id)
                .map(rule ->
                        Response.ok(found(rule, id).toJson()).tag(etag(rule)).build());
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replace a rule: a new version (If-Match: the version it replaces)")
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "200",
            description = "The rule at its new version; ETag is that version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "The body is not well-formed JSON or not a JSON object, or If-Match is not a version")
    @APIResponse(responseCode = "404", description = "The tenant has no rule with this id")
    @APIResponse(responseCode = "412", description = "The rule is at another version than If-Match names")
    @APIResponse(responseCode = "422", description = "The rule is not valid: see errors")
    public Uni<Response> update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        RuleParser.Draft draft = parser.parse(body);
        Integer expected = expectedVersion(ifMatch);
        return store.update(caller.tenant(), id, draft, expected).chain(rule -> {
            if (rule != null) {
                return audited("rule.updated", rule)
                        .replaceWith(Response.ok(rule.toJson()).tag(etag(rule)).build());
            }
            if (expected == null) {
                throw notFound(id);
            }
            // Not updated: either there is no such rule or it is at another version.
            return store.get(caller.tenant(), id).map(current -> {
                found(current, id);
                throw ProblemException.of(
                        ProblemType.PRECONDITION_FAILED,
                        "The rule is at version " + current.version() + ", not " + expected + ".");
            });
        });
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a rule")
    @APIResponse(responseCode = "204", description = "The rule is deleted")
    @APIResponse(responseCode = "404", description = "The tenant has no rule with this id")
    public Uni<Response> delete(@PathParam("id") String id) {
        return store.delete(caller.tenant(), id).chain(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return audit.append(new AuditLog.Entry(
                            caller.tenant(), caller.credential(), "rule.deleted", "rule:" + id, JSON.objectNode()))
                    .replaceWith(Response.noContent().build());
        });
    }

    /**
     * Recorded once the change is committed: a crash in between loses the entry, never the
     * change; the rule's own version and times still tell that it changed.
     */
    private Uni<Void> audited(String action, Rule rule) {
        ObjectNode detail = JSON.objectNode();
        detail.put("version", rule.version());
        detail.put("name", rule.name());
        return audit.append(
                new AuditLog.Entry(caller.tenant(), caller.credential(), action, "rule:" + rule.id(), detail));
    }

    private static Rule found(Rule rule, String id) {
        if (rule == null) {
            throw notFound(id);
        }
        return rule;
    }

    /** Another tenant's rule is as absent as one that never was. */
    private static ProblemException notFound(String id) {
        return ProblemException.of(ProblemType.NOT_FOUND, "There is no rule " + id + ".");
    }

    private static EntityTag etag(Rule rule) {
        return new EntityTag(Integer.toString(rule.version()));
    }

    private static Integer expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        String version = ifMatch.strip().replace("\"", "");
        try {
            return Integer.valueOf(version);
        } catch (NumberFormatException e) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "If-Match must be a rule version, such as \"3\".");
        }
    }
}
