package io.sluice.lookup;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.security.Caller;
import io.sluice.security.Scopes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /v1/events/lookup?source=&id=}: where one event of the caller's tenant is — its
 * Kafka partition and offset, when it was accepted and stored. An event of another tenant is
 * as absent as one never sent (404).
 */
@Path("/v1/events/lookup")
@RolesAllowed({Scopes.INGEST, Scopes.SUBSCRIBE, Scopes.ADMIN})
public class EventLookupResource {

    private final Pool pool;
    private final Caller caller;

    EventLookupResource(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Where is my event: its partition and offset, accepted and stored times")
    public Uni<ObjectNode> lookup(@QueryParam("source") String source, @QueryParam("id") String id) {
        if (source == null || source.isEmpty() || id == null || id.isEmpty()) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "Give both source and id.");
        }
        String tenant = caller.tenant();
        return pool.preparedQuery("SELECT type, subject, event_time, kafka_partition, kafka_offset, accepted_at,"
                        + " stored_at FROM events WHERE tenant = $1 AND source = $2 AND event_id = $3")
                .execute(Tuple.of(tenant, source, id))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.of(
                                ProblemType.NOT_FOUND, "No stored event has this source and id (yet).");
                    }
                    return view(source, id, rows.iterator().next());
                });
    }

    private static ObjectNode view(String source, String id, Row row) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("source", source);
        event.put("id", id);
        event.put("type", row.getString("type"));
        event.put("subject", row.getString("subject"));
        putTime(event, "time", row.getOffsetDateTime("event_time"));
        event.put("partition", row.getInteger("kafka_partition"));
        event.put("offset", row.getLong("kafka_offset"));
        putTime(event, "acceptedAt", row.getOffsetDateTime("accepted_at"));
        putTime(event, "storedAt", row.getOffsetDateTime("stored_at"));
        return event;
    }

    private static void putTime(ObjectNode node, String name, OffsetDateTime time) {
        if (time != null) {
            node.put(name, time.toInstant().toString());
        }
    }
}
