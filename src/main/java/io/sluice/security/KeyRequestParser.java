package io.sluice.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.caller.Scopes;
import io.sluice.caller.TenantName;
import io.sluice.error.FieldErrors;
import io.sluice.error.JsonObjectBody;
import io.sluice.error.ProblemType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads {@code {"tenant": "...", "scopes": [...], "description": "...", "expiresAt": "..."}} and
 * says everything wrong with it at once (422, each problem with its JSON Pointer).
 */
final class KeyRequestParser {

    /** Tenants end up in Redis keys, Kafka headers and metric tags: a plain, short alphabet. */
    private static final Set<String> MEMBERS = Set.of("tenant", "scopes", "description", "expiresAt");

    /** {@code defaultTenant}: the tenant of a key that names none (the caller's own), or null if one must be named. */
    ApiKeyStore.Grant parse(byte[] body, String defaultTenant) {
        JsonNode root = JsonObjectBody.parse(body, "key request");
        FieldErrors errors = new FieldErrors();
        errors.unknownMembers(root, MEMBERS, "key request");
        String tenant = defaultTenant;
        JsonNode tenantNode = root.get("tenant");
        if (tenantNode != null) {
            if (!tenantNode.isTextual() || !TenantName.isValid(tenantNode.textValue())) {
                errors.add("/tenant", "must be " + TenantName.RULE);
            } else {
                tenant = tenantNode.textValue();
            }
        } else if (defaultTenant == null) {
            errors.add("/tenant", "is required");
        }
        Set<String> scopes = scopes(root.get("scopes"), errors);
        String description = description(root.get("description"), errors);
        Instant expiresAt = expiresAt(root.get("expiresAt"), errors);
        errors.throwIfAny(ProblemType.INVALID_KEY_REQUEST, "key request");
        return new ApiKeyStore.Grant(tenant, scopes, description, expiresAt);
    }

    private static Set<String> scopes(JsonNode node, FieldErrors errors) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            errors.add("/scopes", "must be a non-empty array of " + String.join(", ", Scopes.ALL));
            return Set.of();
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode scope = node.get(i);
            if (!scope.isTextual() || !Scopes.ALL.contains(scope.textValue())) {
                errors.add("/scopes/" + i, "must be one of " + String.join(", ", Scopes.ALL));
            } else if (!scopes.add(scope.textValue())) {
                errors.add("/scopes/" + i, "is listed twice");
            }
        }
        return scopes;
    }

    private static String description(JsonNode node, FieldErrors errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()
                || node.textValue().length() > 200
                || node.textValue().indexOf('\0') >= 0) {
            errors.add("/description", "must be a string of at most 200 characters, without NUL");
            return null;
        }
        return node.textValue();
    }

    private static Instant expiresAt(JsonNode node, FieldErrors errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        Instant at = null;
        if (node.isTextual()) {
            try {
                at = OffsetDateTime.parse(node.textValue()).toInstant();
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        if (at == null) {
            errors.add("/expiresAt", "must be an RFC 3339 time, such as 2027-01-01T00:00:00Z");
        } else if (!at.isAfter(Instant.now())) {
            errors.add("/expiresAt", "must lie in the future");
            at = null;
        }
        return at;
    }
}
