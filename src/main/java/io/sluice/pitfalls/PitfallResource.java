package io.sluice.pitfalls;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /v1/admin/pitfalls}: the pitfall guard's checks, made now, each pass, warn or fail
 * with why. Kafka's settings are the platform's, not a tenant's: the platform operator's alone.
 */
@Path("/v1/admin/pitfalls")
@RolesAllowed(Scopes.ADMIN)
public class PitfallResource {

    private final PitfallGuard guard;
    private final boolean strict;
    private final Caller caller;

    PitfallResource(PitfallGuard guard, SluiceConfig config, Caller caller) {
        this.guard = guard;
        this.strict = config.pitfalls().strict();
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Kafka settings that lose or duplicate data: producers, the sink consumer, topics, size limits",
            description = "The platform operator's view (a credential bound to no tenant, such as the bootstrap key):"
                    + " a tenant's credential gets 403, whatever its scopes.")
    @APIResponse(
            responseCode = "200",
            description = "The checks, made now, each pass, warn or fail with why; status is the worst of them",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public Uni<ObjectNode> report() {
        caller.requirePlatformOperator();
        return guard.check().map(report -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("at", report.at().toString());
            answer.put("strict", strict);
            answer.put(
                    "status",
                    report.failed()
                            ? "fail"
                            : report.pitfalls().stream().anyMatch(p -> p.status() == Pitfall.Status.WARN)
                                    ? "warn"
                                    : "pass");
            ArrayNode checks = answer.putArray("checks");
            report.pitfalls().forEach(pitfall -> checks.add(pitfall.toJson()));
            return answer;
        });
    }
}
