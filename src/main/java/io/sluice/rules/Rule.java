package io.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/**
 * One rule, at one version. Exactly one of {@link #threshold}, {@link #rate} and
 * {@link #absence} is set, the one of its {@link #kind}. {@code eventType}, when set, limits
 * the rule to events of that CloudEvents type.
 */
public record Rule(
        String tenant,
        String id,
        int version,
        String name,
        RuleKind kind,
        String severity,
        String eventType,
        Threshold threshold,
        Rate rate,
        Absence absence,
        Instant createdAt,
        Instant updatedAt) {

    /** Fires when the number at {@code pointer} in the event's data compares true with {@code value}. */
    public record Threshold(String pointer, String op, double value) {

        public boolean breached(double actual) {
            return switch (op) {
                case ">" -> actual > value;
                case ">=" -> actual >= value;
                case "<" -> actual < value;
                case "<=" -> actual <= value;
                case "==" -> actual == value;
                case "!=" -> actual != value;
                default -> throw new IllegalStateException("unknown operator " + op);
            };
        }
    }

    /** Fires when more than {@code count} matching events of one subject fall within {@code window}. */
    public record Rate(int count, Duration window) {}

    /** Fires when a subject that sent a matching event sends none for {@code silence}. */
    public record Absence(Duration silence) {}

    public boolean matchesType(String type) {
        return eventType == null || eventType.equals(type);
    }

    /** The kind-specific part, as stored in {@code rules.definition}. */
    public ObjectNode definition() {
        return definition(kind, threshold, rate, absence);
    }

    /** The kind-specific part of a rule that is not stored yet, or of this one. */
    static ObjectNode definition(RuleKind kind, Threshold threshold, Rate rate, Absence absence) {
        ObjectNode definition = JsonNodeFactory.instance.objectNode();
        switch (kind) {
            case THRESHOLD ->
                definition
                        .put("pointer", threshold.pointer())
                        .put("op", threshold.op())
                        .put("value", threshold.value());
            case RATE ->
                definition
                        .put("count", rate.count())
                        .put("window", rate.window().toString());
            case ABSENCE -> definition.put("silence", absence.silence().toString());
        }
        return definition;
    }

    /** The rule as the API shows it: common fields and the kind's own, side by side. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance
                .objectNode()
                .put("id", id)
                .put("version", version)
                .put("name", name)
                .put("kind", kind.wireName())
                .put("severity", severity);
        if (eventType != null) {
            json.put("type", eventType);
        }
        json.setAll(definition());
        json.put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
        return json;
    }

    /**
     * This rule with its kind-specific part read back from {@code definition} (the column
     * {@code rules.definition}); the rest comes from the columns of the same name.
     */
    Rule withDefinition(JsonNode definition) {
        Threshold threshold = null;
        Rate rate = null;
        Absence absence = null;
        switch (kind) {
            case THRESHOLD ->
                threshold = new Threshold(
                        definition.path("pointer").asText(),
                        definition.path("op").asText(),
                        definition.path("value").asDouble());
            case RATE ->
                rate = new Rate(
                        definition.path("count").asInt(),
                        Duration.parse(definition.path("window").asText()));
            case ABSENCE ->
                absence = new Absence(Duration.parse(definition.path("silence").asText()));
        }
        return new Rule(
                tenant, id, version, name, kind, severity, eventType, threshold, rate, absence, createdAt, updatedAt);
    }
}
