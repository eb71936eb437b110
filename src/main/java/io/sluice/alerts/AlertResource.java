package io.sluice.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.config.SluiceConfig;
import io.sluice.error.RequestNumbers;
import io.sluice.security.ApiKeys;
import io.sluice.security.StreamLimits;
import io.sluice.security.StreamTickets;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The caller's tenant's alerts: {@code GET /v1/alerts?after=&limit=} (history) and
 * {@code GET /v1/alerts/stream} (SSE, resumable with {@code Last-Event-ID}); both use the
 * same ids, the tenant's stream numbers.
 */
@Path("/v1/alerts")
@RolesAllowed(Scopes.SUBSCRIBE)
public class AlertResource {

    private static final int MAX_LIMIT = 1000;

    private final AlertLog log;
    private final Caller caller;
    private final StreamLimits limits;
    private final StreamTickets tickets;
    private final AlertSubscription.Shared shared;

    AlertResource(
            AlertLog log,
            AlertHub hub,
            Caller caller,
            StreamLimits limits,
            StreamTickets tickets,
            ApiKeys keys,
            SluiceConfig config) {
        this.log = log;
        this.caller = caller;
        this.limits = limits;
        this.tickets = tickets;
        this.shared = new AlertSubscription.Shared(log, hub, keys, config.alerts().stream());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Alert history after a stream id, oldest first")
    @APIResponse(
            responseCode = "200",
            description = "The tenant's alerts after that stream id, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "after is not a non-negative integer, or limit is not an integer from 1 to 1000")
    public Uni<JsonNode> history(
            @QueryParam("after") @DefaultValue("0") String after,
            @QueryParam("limit") @DefaultValue("100") String limit) {
        long afterId = RequestNumbers.nonNegative(after, "after");
        int count = RequestNumbers.between(limit, "limit", 1, MAX_LIMIT);
        return log.after(caller.tenant(), afterId, count).map(alerts -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            alerts.forEach(alert -> array.add(alert.toJson()));
            return array;
        });
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @NonBlocking
    @Operation(summary = "Alerts as Server-Sent Events; Last-Event-ID resumes right after that alert")
    @APIResponse(
            responseCode = "200",
            description = "A Server-Sent Events stream of the tenant's alerts (filtered by severity and rule): each"
                    + " event named by the alert's status, its id the alert's stream id; comments as heartbeats; a"
                    + " cut-off event before a client too slow to keep up is closed, a revoked event before a"
                    + " stream whose key was revoked or expired is. Without Last-Event-ID it starts"
                    + " after the latest alert; with it (sent again on reconnect) it resumes right after that alert,"
                    + " missing none. Authorization, or ?ticket= from POST /v1/alerts/stream/tickets.",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "Last-Event-ID is not a non-negative integer")
    public void stream(
            @Context SseEventSink sink,
            @Context Sse sse,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("severity") List<String> severities,
            @QueryParam("rule") List<String> rules) {
        Long after = lastEventId == null || lastEventId.isBlank()
                ? null
                : RequestNumbers.nonNegative(lastEventId, "Last-Event-ID");
        StreamLimits.Slot slot = limits.open(caller.tenant(), caller.credential());
        AlertSubscription subscription = new AlertSubscription(
                new AlertSubscription.Selection(caller.tenant(), Set.copyOf(severities), Set.copyOf(rules)),
                new AlertSubscription.Connection(sink, sse, Vertx.currentContext(), caller.credential()),
                shared,
                slot);
        subscription.start(after);
    }

    @POST
    @Path("stream/tickets")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary =
                    "A single-use, short-lived ticket for ?ticket= on the stream, where EventSource cannot send headers")
    @APIResponse(
            responseCode = "201",
            description = "The ticket, its lifetime in seconds (expiresIn) and the stream URL that uses it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public Uni<Response> ticket() {
        return tickets.issue(caller).map(ticket -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("ticket", ticket);
            answer.put("expiresIn", tickets.ttl().toSeconds());
            answer.put("stream", "/v1/alerts/stream?ticket=" + ticket);
            return Response.status(Response.Status.CREATED).entity(answer).build();
        });
    }
}
