package io.sluice.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.error.FieldErrors;
import io.sluice.error.JsonObjectBody;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code /v1/admin/replay}: replay the caller's tenant's events of a time range (only its
 * own), watch the progress, cancel. Another tenant's replay is 404.
 */
@Path("/v1/admin/replay")
@RolesAllowed(Scopes.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ReplayResource {

    private final ReplayService replays;
    private final Caller caller;

    ReplayResource(ReplayService replays, Caller caller) {
        this.replays = replays;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replay the tenant's events accepted in [from, to): {\"from\", \"to\", \"dryRun\"}")
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "202",
            description = "The replay has started; Location names it, for its progress",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "The body is not a JSON object, or not a valid replay request")
    @APIResponse(
            responseCode = "422",
            description = "The range is longer than the tenant's replay range quota (quota: replayRange)")
    @APIResponse(
            responseCode = "429",
            description = "The tenant has its quota of replays running or waiting (quota: replays), or this replica"
                    + " has as many replays waiting as it takes")
    public Uni<Response> start(byte[] body) {
        JsonNode request = JsonObjectBody.parse(body, "replay request");
        FieldErrors errors = new FieldErrors();
        Instant from = time(request, "from", errors);
        Instant to = time(request, "to", errors);
        JsonNode dryRun = request.get("dryRun");
        if (dryRun != null && !dryRun.isBoolean()) {
            errors.add("/dryRun", "must be true or false");
        }
        errors.unknownMembers(request, Set.of("from", "to", "dryRun"), "replay request");
        if (from != null && to != null && !from.isBefore(to)) {
            errors.add("/to", "must come after from");
        }
        errors.throwIfAny(ProblemType.INVALID_REQUEST, "replay request");
        return replays.start(caller.tenant(), from, to, dryRun != null && dryRun.booleanValue(), caller.credential())
                .map(replay -> Response.accepted(replay.toJson())
                        .location(URI.create("/v1/admin/replay/" + replay.id))
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A replay's progress: read, matched (the tenant's), restored")
    @APIResponse(
            responseCode = "200",
            description = "The replay's progress",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "404", description = "The tenant has no replay with this id on this replica")
    public ObjectNode progress(@PathParam("id") String id) {
        return found(id).toJson();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a replay; what it restored stays")
    @APIResponse(
            responseCode = "200",
            description = "The replay, asked to stop, with its progress",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "404", description = "The tenant has no replay with this id on this replica")
    public ObjectNode cancel(@PathParam("id") String id) {
        Replay replay = found(id);
        replay.cancel();
        return replay.toJson();
    }

    private Replay found(String id) {
        Replay replay = replays.get(caller.tenant(), id);
        if (replay == null) {
            throw ProblemException.of(ProblemType.NOT_FOUND, "There is no replay " + id + " on this replica.");
        }
        return replay;
    }

    private static Instant time(JsonNode request, String member, FieldErrors errors) {
        JsonNode value = request.get(member);
        try {
            if (value != null && value.isTextual()) {
                return OffsetDateTime.parse(value.textValue()).toInstant();
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        errors.add("/" + member, "must be an RFC 3339 time, such as 2026-12-01T10:00:00Z");
        return null;
    }
}
