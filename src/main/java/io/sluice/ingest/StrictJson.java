package io.sluice.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.CloudEventRules;
import io.sluice.event.Utf8;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
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

    /** What a message calls the text it could not parse, and whether it says where by line. */
    private record Subject(String name, boolean hasLines) {}

    private static final Subject BODY = new Subject("The body", true);
    private static final Subject LINE = new Subject("The line", false);

    private final ObjectMapper mapper;
    /** Reads one value at a time: what follows it is the caller's to check. */
    private final ObjectReader valueReader;

    StrictJson(int maxNestingDepth) {
        this.mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .build();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .build());
        this.valueReader = mapper.readerFor(JsonNode.class);
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** Parses {@code body}; a body that is not one well-formed JSON value ends the request with 400. */
    JsonNode parse(byte[] body) {
        Values values = parseValues(body, false, BODY);
        return values.values().get(0).node();
    }

    /**
     * Parses one line of a line-delimited body (NDJSON) like {@link #parse}: the line must be
     * one JSON value. Errors speak of the line and say where in it (the column).
     */
    Value parseLine(byte[] line) {
        return parseValues(line, false, LINE).values().get(0);
    }

    /**
     * Parses {@code body} like {@link #parse}, and keeps where each of its values lies in the
     * body: the root's elements when it is an array, else the root. An event's own bytes become
     * its record as they are: writing back what was just read and checked would add nothing.
     */
    Values parseValues(byte[] body) {
        return parseValues(body, true, BODY);
    }

    /** The values of a body, each with the bytes it was read from. */
    record Values(boolean array, List<Value> values) {}

    /** One JSON value and the part of the body it was read from. */
    record Value(JsonNode node, byte[] body, int start, int end) {

        /** The value's bytes: the body itself when the value is all of it, else a copy of its part. */
        byte[] bytes() {
            return start == 0 && end == body.length ? body : Arrays.copyOfRange(body, start, end);
        }
    }

    private Values parseValues(byte[] body, boolean splitArray, Subject subject) {
        String it = subject.name();
        requireUtf8(body, it);
        Values values;
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw malformed(it + " is empty.");
            }
            values = splitArray && first == JsonToken.START_ARRAY
                    ? new Values(true, elements(parser, body))
                    : new Values(false, List.of(value(parser, body)));
            if (parser.nextToken() != null) {
                throw malformed(
                        it + " holds more than one JSON value" + where(parser.currentTokenLocation(), subject) + ".");
            }
        } catch (StreamConstraintsException e) {
            throw malformed("The JSON exceeds a parsing limit: nesting deeper than "
                    + mapper.getFactory().streamReadConstraints().getMaxNestingDepth()
                    + " levels, or a number or string too long.");
        } catch (JsonEOFException e) {
            throw malformed(it + " ends before its JSON value is complete" + where(e.getLocation(), subject) + ".");
        } catch (JsonParseException e) {
            throw malformed(it + " is not well-formed JSON: " + plain(e.getOriginalMessage())
                    + where(e.getLocation(), subject));
        } catch (IOException e) {
            throw malformed(it + " is not well-formed JSON.");
        }
        requireDoubles(values);
        return values;
    }

    private static void requireUtf8(byte[] body, String it) {
        int invalid = Utf8.firstInvalid(body);
        if (invalid >= 0) {
            throw malformed(it + " is not valid UTF-8 (byte offset " + invalid + ").");
        }
    }

    /** Refuses the first number beyond the range of a double, naming where it is. */
    private static void requireDoubles(Values values) {
        for (int i = 0; i < values.values().size(); i++) {
            String outOfRange = firstNumberOutOfRange(values.values().get(i).node(), values.array() ? "/" + i : "");
            if (outOfRange != null) {
                throw malformed("The number at " + (outOfRange.isEmpty() ? "/" : outOfRange)
                        + " is outside the range of a double-precision number.");
            }
        }
    }

    /** The elements of the array whose start the parser is at, up to and with its end. */
    private List<Value> elements(JsonParser parser, byte[] body) throws IOException {
        List<Value> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            elements.add(value(parser, body));
        }
        return elements;
    }

    /** The value whose first token the parser is at; the parser is left at its last token. */
    private Value value(JsonParser parser, byte[] body) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        JsonNode node = valueReader.readTree(parser);
        int end = (int) parser.currentLocation().getByteOffset();
        return new Value(node, body, start, end);
    }

    /**
     * Jackson's messages may name its own types and settings (in backticks, or in a source
     * description): keep the part that speaks about the client's JSON.
     */
    private static String plain(String message) {
        String text = SOURCE_DESCRIPTION.matcher(message).replaceAll("");
        return CODE_NAME.matcher(text).replaceAll("").strip();
    }

    private static String where(JsonLocation location, Subject subject) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        if (!subject.hasLines()) {
            return " (column " + location.getColumnNr() + ")";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /**
     * JSON Pointer of the first number that a double cannot hold, or null. Every event is
     * walked: the pointer is put together on the way back, and only when a number was found.
     */
    private static String firstNumberOutOfRange(JsonNode node, String pointer) {
        Deque<String> path = new ArrayDeque<>();
        if (!findNumberOutOfRange(node, path)) {
            return null;
        }
        StringBuilder found = new StringBuilder(pointer);
        path.forEach(token -> found.append('/').append(token));
        return found.toString();
    }

    /** Whether {@code node} holds a number beyond double range; if so, {@code path} leads to it. */
    private static boolean findNumberOutOfRange(JsonNode node, Deque<String> path) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (findNumberOutOfRange(field.getValue(), path)) {
                    path.addFirst(CloudEventRules.pointerToken(field.getKey()));
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (findNumberOutOfRange(node.get(i), path)) {
                    path.addFirst(Integer.toString(i));
                    return true;
                }
            }
            return false;
        }
        if (!node.isNumber()) {
            return false;
        }
        if (node.isIntegralNumber() && node.bigIntegerValue().bitLength() < 1024) {
            return false; // below 2^1023, well inside double range
        }
        return node.decimalValue().abs().compareTo(DOUBLE_MAX) > 0;
    }

    private static ProblemException malformed(String detail) {
        return ProblemException.of(ProblemType.MALFORMED_JSON, detail);
    }
}
