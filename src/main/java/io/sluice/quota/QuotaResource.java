package io.sluice.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.audit.AuditLog;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.caller.TenantName;
import io.sluice.error.FieldErrors;
import io.sluice.error.JsonObjectBody;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code /v1/admin/quotas}: a tenant's admin reads its own tenant's quotas; the platform
 * operator (a credential bound to no tenant: the bootstrap key) reads any tenant's and sets
 * them. A tenant cannot raise its own quotas.
 */
@Path("/v1/admin/quotas")
@RolesAllowed(Scopes.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class QuotaResource {

    private static final Set<String> MEMBERS =
            Arrays.stream(Quota.values()).map(Quota::wireName).collect(Collectors.toUnmodifiableSet());

    private final Quotas quotas;
    private final Caller caller;

    QuotaResource(Quotas quotas, Caller caller) {
        this.quotas = quotas;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The quotas in effect for the caller's tenant")
    @APIResponse(
            responseCode = "200",
            description = "Each quota's limit; overridden lists those set for this tenant, the rest are the defaults",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public ObjectNode own() {
        String tenant = caller.tenant();
        return quotas.of(tenant).toJson(tenant);
    }

    @GET
    @Path("{tenant}")
    @Operation(summary = "The quotas in effect for a tenant: the caller's own, or any for the platform operator")
    @APIResponse(
            responseCode = "200",
            description = "Each quota's limit; overridden lists those set for this tenant",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "403", description = "A tenant's admin asked for another tenant's quotas")
    public ObjectNode ofTenant(@PathParam("tenant") String tenant) {
        caller.requireOwnTenant(tenant, "A tenant's admin sees its own tenant's quotas only.");
        return quotas.of(validTenant(tenant)).toJson(tenant);
    }

    @PUT
    @Path("{tenant}")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Set a tenant's quotas (platform operator only): each member given overrides the default,"
                    + " each absent or null member is the default again")
    @RequestBody(
            required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(
            responseCode = "200",
            description =
                    "The quotas now in effect for the tenant (on the other replicas within sluice.quotas.refresh)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "The body is not a JSON object of quotas: see errors")
    @APIResponse(responseCode = "403", description = "The caller is a tenant's admin, not the platform operator")
    public Uni<ObjectNode> set(@PathParam("tenant") String tenant, byte[] body) {
        if (!caller.platformOperator()) {
            throw ProblemException.of(
                    ProblemType.FORBIDDEN, "Only the platform operator sets quotas; a tenant cannot raise its own.");
        }
        validTenant(tenant);
        ObjectNode request = JsonObjectBody.parse(body, "quota request");
        FieldErrors errors = new FieldErrors();
        errors.unknownMembers(request, MEMBERS, "quota request");
        Overrides own = new Overrides(
                count(request, Quota.RULES, errors),
                count(request, Quota.KEYS, errors),
                count(request, Quota.STREAMS, errors),
                count(request, Quota.REPLAYS, errors),
                range(request, errors),
                count(request, Quota.REQUESTS, errors));
        errors.throwIfAny(ProblemType.INVALID_REQUEST, "quota request");
        AuditLog.Entry entry =
                new AuditLog.Entry(tenant, caller.credential(), "quotas.changed", "quotas:" + tenant, request);
        return quotas.replace(tenant, own, caller.credential(), entry).map(effective -> effective.toJson(tenant));
    }

    private static String validTenant(String tenant) {
        if (!TenantName.isValid(tenant)) {
            throw ProblemException.of(ProblemType.INVALID_REQUEST, "The tenant name must be " + TenantName.RULE + ".");
        }
        return tenant;
    }

    /** A member that is a whole number from 0 up, or null when absent or null. */
    private static Integer count(JsonNode request, Quota quota, FieldErrors errors) {
        JsonNode value = request.get(quota.wireName());
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            errors.add("/" + quota.wireName(), "must be a whole number from 0 to " + Integer.MAX_VALUE + ", or null");
            return null;
        }
        return value.intValue();
    }

    /** The replay range, an ISO-8601 duration such as PT24H or P7D, or null when absent or null. */
    private static Duration range(JsonNode request, FieldErrors errors) {
        JsonNode value = request.get(Quota.REPLAY_RANGE.wireName());
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            Duration range = value.isTextual() ? Duration.parse(value.textValue()) : null;
            if (range != null && range.toSeconds() > 0) {
                return range;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        errors.add(
                "/" + Quota.REPLAY_RANGE.wireName(), "must be an ISO-8601 duration of a second or more, such as PT24H");
        return null;
    }
}
