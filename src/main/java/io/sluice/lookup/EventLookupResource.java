package io.sluice.lookup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /v1/events/lookup?source=&id=}: where one event of the caller's tenant is — its
 * stored row (partition, offset, accepted and stored times), the re-posts dedup caught, the
 * dead letters it became, and the alerts it raised; or, when it is in none of these, that it
 * was never accepted or is still on its way. An event of another tenant is as absent as one
 * never sent (404).
 */
@Path("/v1/events/lookup")
@RolesAllowed({Scopes.INGEST, Scopes.SUBSCRIBE, Scopes.ADMIN})
public class EventLookupResource {

    private static final String ROW = "SELECT type, subject, event_time, kafka_partition, kafka_offset, accepted_at,"
            + " stored_at FROM events WHERE tenant = $1 AND source = $2 AND event_id = $3";
    private static final String HITS = "SELECT kafka_partition, kafka_offset, accepted_at, found_at FROM dedup_hits"
            + " WHERE tenant = $1 AND source = $2 AND event_id = $3 ORDER BY found_at LIMIT 100";
    private static final String DEAD_LETTERS = "SELECT id, reason, attempts, origin_partition, origin_offset,"
            + " dead_lettered_at, redriven_at FROM dead_letters WHERE tenant = $1 AND source = $2 AND event_id = $3"
            + " ORDER BY id LIMIT 100";
    // Threshold alerts name the event that raised them; rate and absence alerts name a subject.
    private static final String ALERTS = "SELECT seq, alert_id, status, rule_id, severity, raised_at FROM alerts"
            + " WHERE tenant = $1 AND details -> 'event' ->> 'source' = $2 AND details -> 'event' ->> 'id' = $3"
            + " ORDER BY seq LIMIT 100";

    private final Pool pool;
    private final Caller caller;

    EventLookupResource(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Where is my event: its row, dedup hits, dead letters and alerts")
    @APIResponse(
            responseCode = "200",
            description = "The event, stored or dead-lettered, with its dedup hits, dead letters and alerts",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "source or id is missing or empty")
    @APIResponse(
            responseCode = "404",
            description = "The tenant has no such event stored or dead-lettered: never accepted, or still on its way")
    public Uni<ObjectNode> lookup(@QueryParam("source") String source, @QueryParam("id") String id) {
        if (source == null || source.isEmpty() || id == null || id.isEmpty()) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "Give both source and id.");
        }
        Tuple key = Tuple.of(caller.tenant(), source, id);
        return Uni.combine()
                .all()
                .unis(query(ROW, key), query(HITS, key), query(DEAD_LETTERS, key), query(ALERTS, key))
                .with((row, hits, deadLetters, alerts) -> {
                    if (row.rowCount() == 0 && deadLetters.rowCount() == 0) {
                        throw ProblemException.of(
                                ProblemType.NOT_FOUND,
                                "No event with this source and id is stored or dead-lettered: it was never accepted,"
                                        + " or it is still on its way (see the sink's lag).");
                    }
                    ObjectNode event = JsonNodeFactory.instance.objectNode();
                    event.put("source", source);
                    event.put("id", id);
                    if (row.rowCount() > 0) {
                        event.put("status", "stored");
                        stored(event, row.iterator().next());
                    } else {
                        event.put("status", "dead-lettered");
                    }
                    ArrayNode hitList = event.putArray("dedupHits");
                    hits.forEach(hit -> hitList.add(hit(hit)));
                    ArrayNode deadList = event.putArray("deadLetters");
                    deadLetters.forEach(entry -> deadList.add(deadLetter(entry)));
                    ArrayNode alertList = event.putArray("alerts");
                    alerts.forEach(alert -> alertList.add(alert(alert)));
                    return event;
                });
    }

    private Uni<RowSet<Row>> query(String sql, Tuple key) {
        return pool.preparedQuery(sql).execute(key);
    }

    private static void stored(ObjectNode event, Row row) {
        event.put("type", row.getString("type"));
        event.put("subject", row.getString("subject"));
        putTime(event, "time", row.getOffsetDateTime("event_time"));
        event.put("partition", row.getInteger("kafka_partition"));
        event.put("offset", row.getLong("kafka_offset"));
        putTime(event, "acceptedAt", row.getOffsetDateTime("accepted_at"));
        putTime(event, "storedAt", row.getOffsetDateTime("stored_at"));
    }

    private static ObjectNode hit(Row row) {
        ObjectNode hit = JsonNodeFactory.instance.objectNode();
        hit.put("partition", row.getInteger("kafka_partition"));
        hit.put("offset", row.getLong("kafka_offset"));
        putTime(hit, "acceptedAt", row.getOffsetDateTime("accepted_at"));
        putTime(hit, "foundAt", row.getOffsetDateTime("found_at"));
        return hit;
    }

    private static ObjectNode deadLetter(Row row) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("id", row.getLong("id"));
        entry.put("reason", row.getString("reason"));
        entry.put("attempts", row.getInteger("attempts"));
        entry.put("partition", row.getInteger("origin_partition"));
        entry.put("offset", row.getLong("origin_offset"));
        putTime(entry, "deadLetteredAt", row.getOffsetDateTime("dead_lettered_at"));
        putTime(entry, "redrivenAt", row.getOffsetDateTime("redriven_at"));
        return entry;
    }

    private static ObjectNode alert(Row row) {
        ObjectNode alert = JsonNodeFactory.instance.objectNode();
        alert.put("streamId", row.getLong("seq"));
        alert.put("alertId", row.getString("alert_id"));
        alert.put("status", row.getString("status"));
        alert.put("rule", row.getString("rule_id"));
        alert.put("severity", row.getString("severity"));
        putTime(alert, "raisedAt", row.getOffsetDateTime("raised_at"));
        return alert;
    }

    private static void putTime(ObjectNode node, String name, OffsetDateTime time) {
        if (time != null) {
            node.put(name, time.toInstant().toString());
        }
    }
}
