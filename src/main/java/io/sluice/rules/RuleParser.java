package io.sluice.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.error.FieldErrors;
import io.sluice.error.JsonObjectBody;
import io.sluice.error.ProblemType;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a rule from a request body and says everything that is wrong with it at once, each
 * problem with the JSON Pointer of the member it is about. Unknown members are refused: a
 * misspelt {@code windw} must not silently become a rule without a window.
 */
final class RuleParser {

    /** What a request defines; the store adds identity, version and times. */
    record Draft(
            String name,
            RuleKind kind,
            String severity,
            String eventType,
            Rule.Threshold threshold,
            Rule.Rate rate,
            Rule.Absence absence) {}

    static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final Set<String> OPERATORS = Set.of(">", ">=", "<", "<=", "==", "!=");
    private static final Set<String> COMMON = Set.of("name", "kind", "severity", "type");
    private static final Map<RuleKind, Set<String>> OWN = Map.of(
            RuleKind.THRESHOLD, Set.of("pointer", "op", "value"),
            RuleKind.RATE, Set.of("count", "window"),
            RuleKind.ABSENCE, Set.of("silence"));
    private static final Duration SHORTEST = Duration.ofSeconds(1);
    private static final Duration LONGEST_WINDOW = Duration.ofDays(1);
    private static final Duration LONGEST_SILENCE = Duration.ofDays(30);

    Draft parse(byte[] body) {
        JsonNode root = JsonObjectBody.parse(body, "rule");
        FieldErrors errors = new FieldErrors();
        String name = text(root, "name", true, 200, errors);
        String kindName = text(root, "kind", true, 20, errors);
        RuleKind kind = kindName == null ? null : RuleKind.of(kindName);
        if (kindName != null && kind == null) {
            errors.add("/kind", "must be one of threshold, rate, absence");
        }
        String severity = severity(root, errors);
        String eventType = text(root, "type", false, 512, errors);
        // Members all rules have, and those of its own kind.
        Set<String> members = new HashSet<>(COMMON);
        if (kind != null) {
            members.addAll(OWN.get(kind));
        }
        errors.unknownMembers(root, members, (kind == null ? "" : kindName + " ") + "rule");
        Draft draft = new Draft(
                name,
                kind,
                severity,
                eventType,
                kind == RuleKind.THRESHOLD ? threshold(root, errors) : null,
                kind == RuleKind.RATE ? rate(root, errors) : null,
                kind == RuleKind.ABSENCE ? absence(root, errors) : null);
        errors.throwIfAny(ProblemType.INVALID_RULE, "rule");
        return draft;
    }

    private static String severity(JsonNode root, FieldErrors errors) {
        String severity = root.has("severity") ? text(root, "severity", true, 20, errors) : "warning";
        if (severity != null && !SEVERITIES.contains(severity)) {
            errors.add("/severity", "must be one of info, warning, critical");
        }
        return severity;
    }

    private static Rule.Absence absence(JsonNode root, FieldErrors errors) {
        Duration silence = duration(root, "silence", LONGEST_SILENCE, errors);
        return silence == null ? null : new Rule.Absence(silence);
    }

    private static Rule.Threshold threshold(JsonNode root, FieldErrors errors) {
        String pointer = pointer(root, errors);
        String op = text(root, "op", true, 2, errors);
        if (op != null && !OPERATORS.contains(op)) {
            errors.add("/op", "must be one of > >= < <= == !=");
        }
        JsonNode value = root.get("value");
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
            errors.add("/value", "must be a number");
            return null;
        }
        return pointer == null || op == null || !OPERATORS.contains(op)
                ? null
                : new Rule.Threshold(pointer, op, value.asDouble());
    }

    private static String pointer(JsonNode root, FieldErrors errors) {
        String pointer = text(root, "pointer", true, 1024, errors);
        if (pointer == null) {
            return null;
        }
        try {
            JsonPointer.compile(pointer);
            return pointer;
        } catch (IllegalArgumentException e) {
            errors.add("/pointer", "must be a JSON Pointer into data, such as /temperature");
            return null;
        }
    }

    private static Rule.Rate rate(JsonNode root, FieldErrors errors) {
        JsonNode count = root.get("count");
        boolean countValid = count != null && count.canConvertToInt() && count.isIntegralNumber() && count.asInt() >= 1;
        if (!countValid) {
            errors.add("/count", "must be an integer of at least 1 (fires above it)");
        }
        Duration window = duration(root, "window", LONGEST_WINDOW, errors);
        return countValid && window != null ? new Rule.Rate(count.asInt(), window) : null;
    }

    private static Duration duration(JsonNode root, String member, Duration longest, FieldErrors errors) {
        String text = text(root, member, true, 40, errors);
        if (text == null) {
            return null;
        }
        try {
            Duration duration = Duration.parse(text);
            if (duration.compareTo(SHORTEST) < 0 || duration.compareTo(longest) > 0) {
                errors.add("/" + member, "must be between PT1S and " + longest);
                return null;
            }
            return duration;
        } catch (DateTimeParseException e) {
            errors.add("/" + member, "must be an ISO-8601 duration, such as PT5M");
            return null;
        }
    }

    private static String text(JsonNode root, String member, boolean required, int maxLength, FieldErrors errors) {
        JsonNode value = root.get(member);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add("/" + member, "is required");
            }
            return null;
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            errors.add("/" + member, "must be a non-empty string");
            return null;
        }
        if (value.textValue().indexOf('\0') >= 0) {
            errors.add("/" + member, "must not contain NUL (U+0000)");
            return null;
        }
        if (value.textValue().length() > maxLength) {
            errors.add("/" + member, "must be at most " + maxLength + " characters");
            return null;
        }
        return value.textValue();
    }
}
