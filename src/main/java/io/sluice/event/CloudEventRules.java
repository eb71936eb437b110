package io.sluice.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CloudEvents 1.0 rules for one event in its JSON form, reporting every violation rather
 * than the first. Written here rather than taken from the CloudEvents SDK: the SDK's JSON
 * format stops at the first problem with an exception message, accepts duplicate keys and NUL
 * characters, and would parse each event a second time on the hot path.
 */
public final class CloudEventRules {

    public static final String SPEC_VERSION = "1.0";
    public static final String PARTITION_KEY = "partitionkey";

    private static final Set<String> REQUIRED = Set.of("specversion", "id", "source", "type");
    private static final Set<String> STRING_ATTRIBUTES =
            Set.of("specversion", "id", "source", "type", "subject", "datacontenttype", "dataschema", "time");
    /**
     * Upper bounds, in UTF-8 bytes, of the attributes Sluice stores in indexed columns or uses
     * as keys. (tenant, source, id) is the unique key: PostgreSQL refuses a B-tree entry above
     * about 2.7 KB, so an event past these bounds would be accepted and then never stored.
     */
    static final Map<String, Integer> MAX_BYTES =
            Map.of("id", 512, "source", 1024, "type", 512, "subject", 1024, "datacontenttype", 256);

    private CloudEventRules() {}

    public static List<Violation> check(int index, JsonNode event) {
        List<Violation> violations = new ArrayList<>();
        if (!event.isObject()) {
            violations.add(new Violation(index, "", "an event must be a JSON object"));
            return violations;
        }
        for (String name : REQUIRED) {
            JsonNode value = event.get(name);
            if (value == null || value.isNull()) {
                violations.add(new Violation(index, "/" + name, "required attribute is missing"));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            checkMember(index, field.getKey(), field.getValue(), violations);
        }
        if (event.has("data") && event.has("data_base64")) {
            violations.add(new Violation(index, "/data_base64", "data and data_base64 are mutually exclusive"));
        }
        String unstorable = firstUnstorable(event, "");
        if (unstorable != null) {
            violations.add(new Violation(
                    index,
                    unstorable.isEmpty() ? "/" : unstorable,
                    "strings must not contain NUL (U+0000) or unpaired surrogates (\\ud800-\\udfff escapes)"));
        }
        return violations;
    }

    private static void checkMember(int index, String name, JsonNode value, List<Violation> violations) {
        if (name.equals("data")) {
            return;
        }
        // Every event passes here twice (ingest, sink): the pointer is only built for a violation.
        if (name.equals("data_base64")) {
            if (!value.isTextual() || !isBase64(value.textValue())) {
                violations.add(new Violation(index, pointer(name), "must be a base64 string"));
            }
            return;
        }
        if (!isAttributeName(name)) {
            violations.add(new Violation(
                    index,
                    pointer(name),
                    "attribute names are 1 to 20 lower-case letters or digits (CloudEvents 1.0)"));
            return;
        }
        if (value.isNull()) {
            return; // the JSON format treats a null attribute as absent
        }
        if (STRING_ATTRIBUTES.contains(name)) {
            checkStringAttribute(index, name, value, violations);
        } else {
            checkExtension(index, name, value, violations);
        }
    }

    /** [a-z0-9]{1,20}, without a regular expression. */
    private static boolean isAttributeName(String name) {
        if (name.isEmpty() || name.length() > 20) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static String pointer(String name) {
        return "/" + pointerToken(name);
    }

    private static void checkStringAttribute(int index, String name, JsonNode value, List<Violation> violations) {
        if (!value.isTextual()) {
            violations.add(new Violation(index, pointer(name), "must be a string"));
            return;
        }
        String text = value.textValue();
        if (text.isEmpty() && !name.equals("datacontenttype")) {
            violations.add(new Violation(index, pointer(name), "must not be empty"));
            return;
        }
        Integer maxBytes = MAX_BYTES.get(name);
        if (maxBytes != null && utf8Length(text) > maxBytes) {
            violations.add(new Violation(index, pointer(name), "must be at most " + maxBytes + " bytes (UTF-8)"));
            return;
        }
        switch (name) {
            case "specversion" -> {
                if (!SPEC_VERSION.equals(text)) {
                    violations.add(new Violation(index, pointer(name), "only specversion 1.0 is supported"));
                }
            }
            case "source" -> {
                if (parseUri(text) == null) {
                    violations.add(new Violation(index, pointer(name), "must be a URI-reference"));
                }
            }
            case "dataschema" -> {
                URI uri = parseUri(text);
                if (uri == null || !uri.isAbsolute()) {
                    violations.add(new Violation(index, pointer(name), "must be an absolute URI"));
                }
            }
            case "time" -> {
                if (parseTime(text) == null) {
                    violations.add(new Violation(index, pointer(name), "must be an RFC 3339 timestamp"));
                }
            }
            default -> {}
        }
    }

    private static void checkExtension(int index, String name, JsonNode value, List<Violation> violations) {
        if (value.isTextual() || value.isBoolean()) {
            if (name.equals(PARTITION_KEY)
                    && (!value.isTextual() || value.textValue().isEmpty())) {
                violations.add(new Violation(index, pointer(name), "must be a non-empty string"));
            }
            return;
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return;
        }
        violations.add(new Violation(
                index, pointer(name), "extension values are strings, booleans or 32-bit integers (CloudEvents 1.0)"));
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++; // the pair is one code point
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The event's {@code time}, an RFC 3339 timestamp; null if it is not one. */
    public static OffsetDateTime parseTime(String text) {
        return Rfc3339.parseOrNull(text);
    }

    private static URI parseUri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static boolean isBase64(String text) {
        try {
            Base64.getDecoder().decode(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A member name as a JSON Pointer token (RFC 6901). */
    public static String pointerToken(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /**
     * JSON Pointer of the first string or member name PostgreSQL cannot store as text or jsonb,
     * or null: U+0000, or a lone surrogate (valid as a JSON escape, but no Unicode character;
     * encoding it to UTF-8 would silently turn it into '?'). The walk builds nothing: the
     * pointer is put together on the way back, and only when something was found.
     */
    private static String firstUnstorable(JsonNode node, String pointer) {
        Deque<String> path = new ArrayDeque<>();
        if (!findUnstorable(node, path)) {
            return null;
        }
        StringBuilder found = new StringBuilder(pointer);
        path.forEach(token -> found.append('/').append(token));
        return found.toString();
    }

    /** Whether {@code node} holds an unstorable string; if so, {@code path} leads to it. */
    private static boolean findUnstorable(JsonNode node, Deque<String> path) {
        if (node.isTextual()) {
            return unstorable(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (unstorable(field.getKey()) || findUnstorable(field.getValue(), path)) {
                    path.addFirst(pointerToken(field.getKey()));
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (findUnstorable(node.get(i), path)) {
                    path.addFirst(Integer.toString(i));
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean unstorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return true;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }
}
