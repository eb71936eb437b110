package io.sluice.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.CloudEventRules;
import io.sluice.event.ScalarNodes;
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
 *
 * <p>Events take a short way where they can: an event's attributes are read into a small tree
 * for the CloudEvents rules, while its object or array {@code data} is only tokenized, which
 * checks everything above (the parser refuses duplicate keys and deep nesting as it goes, and
 * each number is checked against double range), and left out of the tree: the record is the
 * event's own bytes, and no rule looks into {@code data} but the one for strings PostgreSQL
 * cannot store, a NUL or a lone surrogate, which JSON can only spell as a {@code \}{@code u}
 * escape. So a body with such an escape anywhere, or a number the short way cannot place, is
 * read as whole trees, as every body was before: building the tree of every event's
 * {@code data} took most of the parsing CPU of a batch (docs/benchmarks.md).
 */
final class StrictJson {

    private static final BigDecimal DOUBLE_MAX = BigDecimal.valueOf(Double.MAX_VALUE);
    private static final Pattern SOURCE_DESCRIPTION = Pattern.compile("\\s*\\(?[a-z ]*\\[Source:[^\\]]*\\][^)]*\\)?");
    private static final Pattern CODE_NAME = Pattern.compile("\\s*\\(?`[^`]*`\\)?");

    /** What a message calls the text it could not parse, and whether it says where by line. */
    private record Subject(String name, boolean hasLines) {}

    private static final Subject BODY = new Subject("The body", true);
    private static final Subject LINE = new Subject("The line", false);

    /**
     * Stands for an object or array {@code data} the short way checked and left out: present,
     * not null, and nothing in it for a rule to look at.
     */
    private static final JsonNode DATA_CHECKED = JsonNodeFactory.instance.objectNode();

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
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
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

    /**
     * Parses {@code body} into a whole tree (binary mode's data, which is written back as it was
     * read); a body that is not one well-formed JSON value ends the request with 400.
     */
    JsonNode parse(byte[] body) {
        Values values = parseValues(body, false, BODY, false);
        return values.values().get(0).node();
    }

    /**
     * Parses one line of a line-delimited body (NDJSON) like {@link #parse}: the line must be
     * one JSON value. Errors speak of the line and say where in it (the column).
     */
    Value parseLine(byte[] line) {
        return parseValues(line, false, LINE, true).values().get(0);
    }

    /**
     * Parses {@code body} like {@link #parse}, and keeps where each of its values lies in the
     * body: the root's elements when it is an array, else the root. An event's own bytes become
     * its record as they are: writing back what was just read and checked would add nothing.
     */
    Values parseValues(byte[] body) {
        return parseValues(body, true, BODY, true);
    }

    /** The values of a body, each with the bytes it was read from. */
    record Values(boolean array, List<Value> values) {}

    /**
     * One JSON value and the part of the body it was read from. An event read the short way has
     * its attributes in {@code node}, and its object or array {@code data} only in the bytes.
     */
    record Value(JsonNode node, byte[] body, int start, int end) {

        /** The value's bytes: the body itself when the value is all of it, else a copy of its part. */
        byte[] bytes() {
            return start == 0 && end == body.length ? body : Arrays.copyOfRange(body, start, end);
        }
    }

    /** @param shortWay whether events may be read the short way (see the class comment) */
    private Values parseValues(byte[] body, boolean splitArray, Subject subject, boolean shortWay) {
        boolean plain = Utf8.plainJsonStrings(body);
        if (!plain) {
            requireUtf8(body, subject.name());
        }
        if (shortWay && plain) {
            try {
                return read(body, splitArray, subject, true);
            } catch (NeedsTree e) {
                // a number to place by its pointer: the whole trees say where it is
            }
        }
        return read(body, splitArray, subject, false);
    }

    private Values read(byte[] body, boolean splitArray, Subject subject, boolean shortWay) {
        String it = subject.name();
        Values values;
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw malformed(it + " is empty.");
            }
            values = splitArray && first == JsonToken.START_ARRAY
                    ? new Values(true, elements(parser, body, shortWay))
                    : new Values(false, List.of(value(parser, body, shortWay)));
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
    private List<Value> elements(JsonParser parser, byte[] body, boolean shortWay) throws IOException {
        List<Value> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            elements.add(value(parser, body, shortWay));
        }
        return elements;
    }

    /** The value whose first token the parser is at; the parser is left at its last token. */
    private Value value(JsonParser parser, byte[] body, boolean shortWay) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        JsonNode node = shortWay && parser.currentToken() == JsonToken.START_OBJECT
                ? attributes(parser)
                : valueReader.readTree(parser);
        int end = (int) parser.currentLocation().getByteOffset();
        return new Value(node, body, start, end);
    }

    /**
     * The short way: the members of the object whose start the parser is at, an object or array
     * {@code data} as {@link #DATA_CHECKED}; the parser is left at the object's end.
     */
    private JsonNode attributes(JsonParser parser) throws IOException {
        ObjectNode members = mapper.createObjectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName(); // a name seen before, the parser refused
            JsonToken token = parser.nextToken();
            if (token.isStructStart() && name.equals("data")) {
                skipCheckingNumbers(parser);
                members.set(name, DATA_CHECKED);
            } else {
                members.set(name, scalar(parser, token));
            }
        }
        return members;
    }

    /** The value at the parser as the mapper would read it: the usual scalars directly. */
    private JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
        JsonNode plain = ScalarNodes.plain(parser, token);
        return plain != null ? plain : valueReader.readTree(parser);
    }

    /**
     * Moves the parser to the end of the object or array it is at, checking that every number
     * in it is inside double range; one that may not be is left to the whole tree, which says
     * where it is.
     */
    private static void skipCheckingNumbers(JsonParser parser) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new JsonEOFException(parser, null, "end of input inside data");
            }
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_NUMBER_INT -> {
                    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw NeedsTree.INSTANCE;
                    }
                }
                case VALUE_NUMBER_FLOAT -> {
                    if (!(Math.abs(parser.getDoubleValue()) < Double.MAX_VALUE)) {
                        throw NeedsTree.INSTANCE; // infinite, or rounded to the largest double
                    }
                }
                default -> {}
            }
        }
    }

    /** A number the short way cannot place: the body is read again as whole trees. */
    private static final class NeedsTree extends RuntimeException {

        static final NeedsTree INSTANCE = new NeedsTree();

        private NeedsTree() {
            super(null, null, false, false);
        }
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
