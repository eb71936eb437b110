package io.sluice.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.CloudEventRules;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses request bodies as strictly as JSON allows, with Jackson's own limits: duplicate keys,
 * nesting deeper than the configured depth, trailing content, numbers beyond double range and
 * invalid UTF-8 are all refused with a 400 that says where, in words a client understands.
 */
final class StrictJson {

    private static final BigDecimal DOUBLE_MAX = BigDecimal.valueOf(Double.MAX_VALUE);
    private static final Pattern SOURCE_DESCRIPTION = Pattern.compile("\\s*\\(?[a-z ]*\\[Source:[^\\]]*\\][^)]*\\)?");
    private static final Pattern CODE_NAME = Pattern.compile("\\s*\\(?`[^`]*`\\)?");

    private final ObjectMapper mapper;

    StrictJson(int maxNestingDepth) {
        this.mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .build();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .build());
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** Parses {@code body}; a body that is not one well-formed JSON value ends the request with 400. */
    JsonNode parse(byte[] body) {
        int invalid = Utf8.firstInvalid(body);
        if (invalid >= 0) {
            throw malformed("The body is not valid UTF-8 (byte offset " + invalid + ").");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            throw malformed("The JSON exceeds a parsing limit: nesting deeper than "
                    + mapper.getFactory().streamReadConstraints().getMaxNestingDepth()
                    + " levels, or a number or string too long.");
        } catch (JsonEOFException e) {
            throw malformed("The body ends before its JSON value is complete" + where(e.getLocation()) + ".");
        } catch (JsonParseException e) {
            throw malformed(
                    "The body is not well-formed JSON: " + plain(e.getOriginalMessage()) + where(e.getLocation()));
        } catch (MismatchedInputException e) {
            throw malformed("The body holds more than one JSON value" + where(e.getLocation()) + ".");
        } catch (IOException e) {
            throw malformed("The body is not well-formed JSON.");
        }
        if (root == null || root.isMissingNode()) {
            throw malformed("The body is empty.");
        }
        String outOfRange = firstNumberOutOfRange(root, "");
        if (outOfRange != null) {
            throw malformed("The number at " + (outOfRange.isEmpty() ? "/" : outOfRange)
                    + " is outside the range of a double-precision number.");
        }
        return root;
    }

    /**
     * Jackson's messages may name its own types and settings (in backticks, or in a source
     * description): keep the part that speaks about the client's JSON.
     */
    private static String plain(String message) {
        String text = SOURCE_DESCRIPTION.matcher(message).replaceAll("");
        return CODE_NAME.matcher(text).replaceAll("").strip();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** JSON Pointer of the first number that a double cannot hold, or null. */
    private static String firstNumberOutOfRange(JsonNode node, String pointer) {
        if (node.isNumber()) {
            BigDecimal value = node.decimalValue();
            return value.abs().compareTo(DOUBLE_MAX) > 0 ? pointer : null;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String found = firstNumberOutOfRange(
                        field.getValue(), pointer + "/" + CloudEventRules.pointerToken(field.getKey()));
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = firstNumberOutOfRange(node.get(i), pointer + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static ProblemException malformed(String detail) {
        return ProblemException.of(ProblemType.MALFORMED_JSON, detail);
    }
}
