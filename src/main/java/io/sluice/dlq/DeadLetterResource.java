package io.sluice.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.dlq.DeadLetterStore.Filter;
import io.sluice.error.FieldErrors;
import io.sluice.error.JsonObjectBody;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.error.RequestNumbers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code /v1/admin/dlq}: the caller's tenant's dead letters — list them with their reason and
 * attempts, inspect one with its record, redrive one, a filter, or all through the normal path.
 */
@Path("/v1/admin/dlq")
@RolesAllowed(Scopes.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAGE = 1000;
    private static final int MAX_REDRIVE = 10_000;
    private static final Set<String> STATUSES = Set.of(Filter.DEAD, Filter.REDRIVEN, Filter.ALL);
    private static final Set<String> REDRIVE_MEMBERS = Set.of("ids", "source", "reason", "all", "max");

    private final DeadLetterStore store;
    private final Redrive redrive;
    private final Caller caller;

    DeadLetterResource(DeadLetterStore store, Redrive redrive, Caller caller) {
        this.store = store;
        this.redrive = redrive;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Dead letters (status dead, redriven or all; by source or reason), oldest first, after an id")
    @APIResponse(
            responseCode = "200",
            description = "A page of dead letters; next is the after of the next page, when there may be one",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "status is not dead, redriven or all, after is not a non-negative integer, or limit is not"
                    + " an integer from 1 to 1000")
    public Uni<ObjectNode> list(
            @QueryParam("status") @DefaultValue(Filter.DEAD) String status,
            @QueryParam("source") String source,
            @QueryParam("reason") String reason,
            @QueryParam("after") @DefaultValue("0") String afterParam,
            @QueryParam("limit") @DefaultValue("100") String limitParam) {
        if (!STATUSES.contains(status)) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "status is one of dead, redriven, all.");
        }
        long after = RequestNumbers.nonNegative(afterParam, "after");
        int limit = RequestNumbers.between(limitParam, "limit", 1, MAX_PAGE);
        return store.list(caller.tenant(), new Filter(status, source, reason, null), after, limit)
                .map(entries -> {
                    ObjectNode answer = JSON.createObjectNode();
                    ArrayNode list = answer.putArray("entries");
                    entries.forEach(entry -> list.add(entry.summary()));
                    if (entries.size() == limit) {
                        answer.put("next", entries.get(entries.size() - 1).id());
                    }
                    return answer;
                });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One dead letter with its record: key, headers and value")
    @APIResponse(
            responseCode = "200",
            description = "The dead letter and its record",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "404", description = "The tenant has no dead letter with this id")
    public Uni<ObjectNode> inspect(@PathParam("id") long id) {
        return store.get(caller.tenant(), id).map(entry -> {
            if (entry == null) {
                throw ProblemException.of(ProblemType.NOT_FOUND, "There is no dead letter " + id + ".");
            }
            return entry.detail();
        });
    }

    @POST
    @Path("{id}/redrive")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Send one dead letter back through the normal path")
    @APIResponse(
            responseCode = "200",
            description = "What was redriven; an entry Kafka did not take is listed in failed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "404", description = "The tenant has no dead letter with this id")
    @APIResponse(responseCode = "409", description = "The dead letter was redriven already")
    public Uni<ObjectNode> redriveOne(@PathParam("id") long id) {
        String tenant = caller.tenant();
        return store.get(tenant, id).chain(entry -> {
            if (entry == null) {
                throw ProblemException.of(ProblemType.NOT_FOUND, "There is no dead letter " + id + ".");
            }
            if (entry.redrivenAt() != null) {
                throw ProblemException.of(
                        ProblemType.CONFLICT,
                        "Dead letter " + id + " was redriven already, to " + entry.redrivenTo() + ".");
            }
            return run(tenant, Filter.dead(null, null, List.of(id)), 1);
        });
    }

    @POST
    @Path("redrive")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary =
                    "Redrive dead letters: {\"ids\": [...]}, {\"source\", \"reason\"} or {\"all\": true}; at most max (10,000)")
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "200",
            description =
                    "How many were redriven, which Kafka did not take (failed), and whether more match (call again)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "The body is not a JSON object, or not a valid redrive request")
    public Uni<ObjectNode> redrive(byte[] body) {
        JsonNode request = JsonObjectBody.parse(body, "redrive request");
        FieldErrors errors = new FieldErrors();
        errors.unknownMembers(request, REDRIVE_MEMBERS, "redrive request");
        List<Long> ids = ids(request.get("ids"), errors);
        String source = text(request, "source", errors);
        String reason = text(request, "reason", errors);
        JsonNode all = request.get("all");
        if (all != null && !all.isBoolean()) {
            errors.add("/all", "must be true or false");
        }
        boolean everything = all != null && all.booleanValue();
        if (ids == null && source == null && reason == null && !everything) {
            errors.add("", "name ids, a source or reason, or all: true");
        }
        int max = max(request.get("max"), errors);
        errors.throwIfAny(ProblemType.INVALID_REQUEST, "redrive request");
        return run(caller.tenant(), Filter.dead(source, reason, ids), max);
    }

    /** How many to redrive at most: {@code max}, or all that may be redriven at once. */
    private static int max(JsonNode max, FieldErrors errors) {
        if (max == null) {
            return MAX_REDRIVE;
        }
        if (!max.canConvertToInt() || max.intValue() < 1 || max.intValue() > MAX_REDRIVE) {
            errors.add("/max", "must be between 1 and " + MAX_REDRIVE);
            return MAX_REDRIVE;
        }
        return max.intValue();
    }

    private Uni<ObjectNode> run(String tenant, Filter filter, int max) {
        return redrive.redrive(tenant, filter, max, caller.credential()).map(outcome -> {
            ObjectNode answer = JSON.createObjectNode();
            answer.put("redriven", outcome.redriven());
            outcome.failed().forEach(answer.putArray("failed")::add);
            // More may match than one request redrives: call again.
            answer.put("more", outcome.more());
            return answer;
        });
    }

    private static List<Long> ids(JsonNode node, FieldErrors errors) {
        if (node == null) {
            return null;
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_REDRIVE) {
            errors.add("/ids", "must be a list of 1 to " + MAX_REDRIVE + " entry ids");
            return null;
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).canConvertToLong() || !node.get(i).isIntegralNumber()) {
                errors.add("/ids/" + i, "must be an entry id");
            } else {
                ids.add(node.get(i).longValue());
            }
        }
        return ids;
    }

    private static String text(JsonNode request, String member, FieldErrors errors) {
        JsonNode value = request.get(member);
        if (value == null) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            errors.add("/" + member, "must be a non-empty string");
            return null;
        }
        return value.textValue();
    }
}
