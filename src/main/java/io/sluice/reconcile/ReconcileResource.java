package io.sluice.reconcile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.config.SluiceConfig;
import io.sluice.error.FieldErrors;
import io.sluice.error.ProblemType;
import io.sluice.reconcile.ReconcileCounts.Minute;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /v1/admin/reconcile?from=&to=}: "did we lose anything?" for the caller's tenant,
 * minute by minute — accepted (acknowledged by Kafka), answered, stored, deduplicated,
 * dead-lettered and the difference. A minute is {@code settled} once the ledger and the sink
 * have read everything accepted in it ({@link SettledHorizon}); before that it is open, and
 * its drift is events still on their way.
 */
@Path("/v1/admin/reconcile")
@RolesAllowed(Scopes.ADMIN)
public class ReconcileResource {

    private static final Duration DEFAULT_RANGE = Duration.ofHours(1);

    private final ReconcileCounts counts;
    private final SettledHorizon horizon;
    private final Caller caller;
    private final SluiceConfig.Reconcile config;

    ReconcileResource(ReconcileCounts counts, SettledHorizon horizon, Caller caller, SluiceConfig config) {
        this.counts = counts;
        this.horizon = horizon;
        this.caller = caller;
        this.config = config.reconcile();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Accepted (acknowledged by Kafka), answered, stored, deduplicated and dead-lettered events per"
                    + " minute, with the drift and which minutes are still open")
    @APIResponse(
            responseCode = "200",
            description = "The counts per whole minute of the range, their totals and the unexplained drift",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "from or to is not an RFC 3339 time, to is not after from, or the range is too long")
    public Uni<ObjectNode> reconcile(@QueryParam("from") String fromParam, @QueryParam("to") String toParam) {
        FieldErrors errors = new FieldErrors();
        Instant to = toParam == null ? Instant.now() : time("to", toParam, errors);
        Instant from =
                fromParam == null ? (to == null ? null : to.minus(DEFAULT_RANGE)) : time("from", fromParam, errors);
        if (from != null && to != null) {
            if (!from.isBefore(to)) {
                errors.add("to", "must come after from");
            } else if (Duration.between(from, to).compareTo(config.maxRange()) > 0) {
                errors.add("to", "the range may cover at most " + config.maxRange());
            }
        }
        errors.throwIfAny(ProblemType.INVALID_REQUEST, "reconcile range");
        // Whole minutes: a minute is counted whole or not at all.
        Instant start = from.truncatedTo(ChronoUnit.MINUTES);
        Instant end = to.truncatedTo(ChronoUnit.MINUTES).equals(to)
                ? to
                : to.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String tenant = caller.tenant();
        Instant settledBefore = horizon.settledBefore();
        return counts.minutes(tenant, start, end).map(minutes -> view(tenant, start, end, settledBefore, minutes));
    }

    private static ObjectNode view(
            String tenant, Instant from, Instant to, Instant settledBefore, List<Minute> minutes) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("tenant", tenant);
        answer.put("from", from.toString());
        answer.put("to", to.toString());
        // Null until the ledger and the sink were seen caught up: then every minute is open.
        answer.put("settledBefore", settledBefore == null ? null : settledBefore.toString());
        ArrayNode list = answer.putArray("minutes");
        long unexplained = 0;
        for (Minute minute : minutes) {
            boolean settled = SettledHorizon.settled(minute.minute(), settledBefore);
            counts(list.addObject().put("minute", minute.minute().toString()), minute)
                    .put("settled", settled);
            if (settled && minute.drift() > 0) {
                unexplained += minute.drift();
            }
        }
        counts(answer.putObject("total"), Minute.total(tenant, from, minutes));
        // Events Kafka acknowledged that are in no table, in settled minutes: what may have been lost.
        answer.put("unexplainedDrift", unexplained);
        return answer;
    }

    private static ObjectNode counts(ObjectNode node, Minute minute) {
        return node.put("accepted", minute.accepted())
                .put("answered", minute.answered())
                .put("stored", minute.stored())
                .put("deduplicated", minute.deduplicated())
                .put("deadLettered", minute.deadLettered())
                .put("redriven", minute.redriven())
                .put("drift", minute.drift());
    }

    private static Instant time(String name, String value, FieldErrors errors) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(name, "must be an RFC 3339 time, such as 2026-12-01T10:00:00Z");
            return null;
        }
    }
}
