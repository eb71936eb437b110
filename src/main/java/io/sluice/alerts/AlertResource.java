package io.sluice.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.security.Caller;
import io.sluice.security.Scopes;
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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;

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
    private final AlertHub hub;
    private final Caller caller;
    private final StreamLimits limits;
    private final StreamTickets tickets;
    private final SluiceConfig.Alerts.Stream streamConfig;
    private final Duration retryAfter;

    AlertResource(
            AlertLog log,
            AlertHub hub,
            Caller caller,
            StreamLimits limits,
            StreamTickets tickets,
            SluiceConfig config) {
        this.log = log;
        this.hub = hub;
        this.caller = caller;
        this.limits = limits;
        this.tickets = tickets;
        this.streamConfig = config.alerts().stream();
        this.retryAfter = config.alerts().stream().retry();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Alert history after a stream id, oldest first")
    public Uni<JsonNode> history(
            @QueryParam("after") @DefaultValue("0") String after,
            @QueryParam("limit") @DefaultValue("100") String limit) {
        long afterId = streamId(after, "after");
        int count = (int) streamId(limit, "limit");
        if (count < 1 || count > MAX_LIMIT) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "limit must be between 1 and " + MAX_LIMIT + ".");
        }
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
    public void stream(
            @Context SseEventSink sink,
            @Context Sse sse,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("severity") List<String> severities,
            @QueryParam("rule") List<String> rules) {
        Long after = lastEventId == null || lastEventId.isBlank() ? null : streamId(lastEventId, "Last-Event-ID");
        StreamLimits.Slot slot = limits.open(caller.credential());
        if (slot == null) {
            throw new ProblemException(
                    Problem.of(
                            ProblemType.TOO_MANY_REQUESTS,
                            "Too many alert streams are open (for this credential, or on this replica)."),
                    retryAfter);
        }
        AlertSubscription subscription = new AlertSubscription(
                caller.tenant(),
                Set.copyOf(severities),
                Set.copyOf(rules),
                sink,
                sse,
                Vertx.currentContext(),
                log,
                hub,
                streamConfig,
                slot);
        subscription.start(after);
    }

    @POST
    @Path("stream/tickets")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary =
                    "A single-use, short-lived ticket for ?ticket= on the stream, where EventSource cannot send headers")
    public Uni<Response> ticket() {
        return tickets.issue(caller).map(ticket -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("ticket", ticket);
            answer.put("expiresIn", tickets.ttl().toSeconds());
            answer.put("stream", "/v1/alerts/stream?ticket=" + ticket);
            return Response.status(Response.Status.CREATED).entity(answer).build();
        });
    }

    private static long streamId(String text, String name) {
        try {
            long value = Long.parseLong(text.strip());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, name + " must be a non-negative integer.");
        }
    }
}
