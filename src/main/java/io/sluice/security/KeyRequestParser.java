package io.sluice.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.caller.Scopes;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code {"tenant": "...", "scopes": [...], "description": "...", "expiresAt": "..."}} and
 * says everything wrong with it at once (422, each problem with its JSON Pointer).
 */
final class KeyRequestParser {

    /** Tenants end up in Redis keys, Kafka headers and metric tags: a plain, short alphabet. */
    static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private static final Set<String> MEMBERS = Set.of("tenant", "scopes", "description", "expiresAt");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code defaultTenant}: the tenant of a key that names none (the caller's own), or null if one must be named. */
    ApiKeyStore.Grant parse(byte[] body, String defaultTenant) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "The body is not well-formed JSON.");
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "A key request is a JSON object.");
        }
        List<Map<String, String>> errors = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String member = names.next();
            if (!MEMBERS.contains(member)) {
                errors.add(error("/" + member, "is not a member of a key request"));
            }
        }
        String tenant = defaultTenant;
        JsonNode tenantNode = root.get("tenant");
        if (tenantNode != null) {
            if (!tenantNode.isTextual()
                    || !TENANT.matcher(tenantNode.textValue()).matches()) {
                errors.add(error(
                        "/tenant", "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"));
            } else {
                tenant = tenantNode.textValue();
            }
        } else if (defaultTenant == null) {
            errors.add(error("/tenant", "is required"));
        }
        Set<String> scopes = scopes(root.get("scopes"), errors);
        String description = description(root.get("description"), errors);
        Instant expiresAt = expiresAt(root.get("expiresAt"), errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(
                    Problem.of(ProblemType.INVALID_KEY_REQUEST, "The key request is not valid: see errors.")
                            .with("errors", errors));
        }
        return new ApiKeyStore.Grant(tenant, scopes, description, expiresAt);
    }

    private static Set<String> scopes(JsonNode node, List<Map<String, String>> errors) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            errors.add(error("/scopes", "must be a non-empty array of " + String.join(", ", Scopes.ALL)));
            return Set.of();
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode scope = node.get(i);
            if (!scope.isTextual() || !Scopes.ALL.contains(scope.textValue())) {
                errors.add(error("/scopes/" + i, "must be one of " + String.join(", ", Scopes.ALL)));
            } else if (!scopes.add(scope.textValue())) {
                errors.add(error("/scopes/" + i, "is listed twice"));
            }
        }
        return scopes;
    }

    private static String description(JsonNode node, List<Map<String, String>> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()
                || node.textValue().length() > 200
                || node.textValue().indexOf('\0') >= 0) {
            errors.add(error("/description", "must be a string of at most 200 characters, without NUL"));
            return null;
        }
        return node.textValue();
    }

    private static Instant expiresAt(JsonNode node, List<Map<String, String>> errors) {
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
            errors.add(error("/expiresAt", "must be an RFC 3339 time, such as 2027-01-01T00:00:00Z"));
        } else if (!at.isAfter(Instant.now())) {
            errors.add(error("/expiresAt", "must lie in the future"));
            at = null;
        }
        return at;
    }

    private static Map<String, String> error(String pointer, String detail) {
        return Map.of("pointer", pointer, "detail", detail);
    }
}
