package io.sluice.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One transition of an alert, at its place in its tenant's stream. {@code seq} is the stream
 * id (SSE {@code id:}, {@code Last-Event-ID}, {@code ?after=}); {@code alertId} is the alert's
 * stable identity, shared by its firing and its resolution.
 */
public record Alert(
        String tenant,
        long seq,
        String alertId,
        String status,
        String ruleId,
        int ruleVersion,
        String ruleName,
        String severity,
        String subject,
        Instant windowStart,
        Instant raisedAt,
        JsonNode details) {

    /** As clients see it: everything but the tenant, which is theirs anyway. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance
                .objectNode()
                .put("id", seq)
                .put("alertId", alertId)
                .put("status", status)
                .put("severity", severity)
                .put("subject", subject)
                .put("windowStart", windowStart.toString())
                .put("raisedAt", raisedAt.toString());
        json.putObject("rule").put("id", ruleId).put("version", ruleVersion).put("name", ruleName);
        json.set("details", details);
        return json;
    }

    /** As relayed through Kafka to every replica. */
    ObjectNode toRecord() {
        return toJson().put("tenant", tenant);
    }

    static Alert fromRecord(JsonNode json) {
        JsonNode rule = json.path("rule");
        return new Alert(
                json.path("tenant").asText(),
                json.path("id").asLong(),
                json.path("alertId").asText(),
                json.path("status").asText(),
                rule.path("id").asText(),
                rule.path("version").asInt(),
                rule.path("name").asText(),
                json.path("severity").asText(),
                json.path("subject").asText(),
                Instant.parse(json.path("windowStart").asText()),
                Instant.parse(json.path("raisedAt").asText()),
                json.path("details"));
    }
}
