package io.sluice.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    private final ObjectMapper json;

    RuleParser(ObjectMapper json) {
        this.json = json;
    }

    Draft parse(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "The body is not well-formed JSON.");
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.of(ProblemType.MALFORMED_JSON, "A rule is a JSON object.");
        }
        List<Map<String, String>> errors = new ArrayList<>();
        String name = text(root, "name", true, 200, errors);
        String kindName = text(root, "kind", true, 20, errors);
        RuleKind kind = kindName == null ? null : RuleKind.of(kindName);
        if (kindName != null && kind == null) {
            errors.add(error("/kind", "must be one of threshold, rate, absence"));
        }
        String severity = root.has("severity") ? text(root, "severity", true, 20, errors) : "warning";
        if (severity != null && !SEVERITIES.contains(severity)) {
            errors.add(error("/severity", "must be one of info, warning, critical"));
        }
        String eventType = text(root, "type", false, 512, errors);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String member = names.next();
            if (!COMMON.contains(member) && (kind == null || !OWN.get(kind).contains(member))) {
                errors.add(
                        error("/" + member, "is not a member of a " + (kind == null ? "" : kindName + " ") + "rule"));
            }
        }
        Rule.Threshold threshold = null;
        Rule.Rate rate = null;
        Rule.Absence absence = null;
        if (kind == RuleKind.THRESHOLD) {
            threshold = threshold(root, errors);
        } else if (kind == RuleKind.RATE) {
            rate = rate(root, errors);
        } else if (kind == RuleKind.ABSENCE) {
            Duration silence = duration(root, "silence", LONGEST_SILENCE, errors);
            absence = silence == null ? null : new Rule.Absence(silence);
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_RULE, "The rule is not valid: see errors.")
                    .with("errors", errors));
        }
        return new Draft(name, kind, severity, eventType, threshold, rate, absence);
    }

    private static Rule.Threshold threshold(JsonNode root, List<Map<String, String>> errors) {
        String pointer = text(root, "pointer", true, 1024, errors);
        if (pointer != null) {
            try {
                JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                errors.add(error("/pointer", "must be a JSON Pointer into data, such as /temperature"));
                pointer = null;
            }
        }
        String op = text(root, "op", true, 2, errors);
        if (op != null && !OPERATORS.contains(op)) {
            errors.add(error("/op", "must be one of > >= < <= == !="));
        }
        JsonNode value = root.get("value");
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
            errors.add(error("/value", "must be a number"));
            return null;
        }
        return pointer == null || op == null || !OPERATORS.contains(op)
                ? null
                : new Rule.Threshold(pointer, op, value.asDouble());
    }

    private static Rule.Rate rate(JsonNode root, List<Map<String, String>> errors) {
        JsonNode count = root.get("count");
        boolean countValid = count != null && count.canConvertToInt() && count.isIntegralNumber() && count.asInt() >= 1;
        if (!countValid) {
            errors.add(error("/count", "must be an integer of at least 1 (fires above it)"));
        }
        Duration window = duration(root, "window", LONGEST_WINDOW, errors);
        return countValid && window != null ? new Rule.Rate(count.asInt(), window) : null;
    }

    private static Duration duration(JsonNode root, String member, Duration longest, List<Map<String, String>> errors) {
        String text = text(root, member, true, 40, errors);
        if (text == null) {
            return null;
        }
        try {
            Duration duration = Duration.parse(text);
            if (duration.compareTo(SHORTEST) < 0 || duration.compareTo(longest) > 0) {
                errors.add(error("/" + member, "must be between PT1S and " + longest));
                return null;
            }
            return duration;
        } catch (DateTimeParseException e) {
            errors.add(error("/" + member, "must be an ISO-8601 duration, such as PT5M"));
            return null;
        }
    }

    private static String text(
            JsonNode root, String member, boolean required, int maxLength, List<Map<String, String>> errors) {
        JsonNode value = root.get(member);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(error("/" + member, "is required"));
            }
            return null;
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            errors.add(error("/" + member, "must be a non-empty string"));
            return null;
        }
        if (value.textValue().indexOf('\0') >= 0) {
            errors.add(error("/" + member, "must not contain NUL (U+0000)"));
            return null;
        }
        if (value.textValue().length() > maxLength) {
            errors.add(error("/" + member, "must be at most " + maxLength + " characters"));
            return null;
        }
        return value.textValue();
    }

    private static Map<String, String> error(String pointer, String detail) {
        return Map.of("pointer", pointer, "detail", detail);
    }
}
