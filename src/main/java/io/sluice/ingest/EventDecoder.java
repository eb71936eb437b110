package io.sluice.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.Utf8;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a request into CloudEvents in their JSON form, whatever mode the client used:
 * structured ({@code application/cloudevents+json}), batch
 * ({@code application/cloudevents-batch+json}), binary ({@code ce-*} headers, the body is
 * the data), plain {@code application/json} (one event or an array of them) or one structured
 * event per line ({@code application/x-ndjson}, {@code application/jsonl}).
 */
final class EventDecoder {

    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";
    /** One structured event per line: what log and event shippers send (NDJSON, JSON Lines). */
    static final List<String> LINES = List.of("application/x-ndjson", "application/jsonl", "application/x-jsonlines");

    private static final String HEADER_PREFIX = "ce-";
    /** A request with this header is in binary mode. */
    static final String BINARY_MODE_HEADER = HEADER_PREFIX + "specversion";

    private final StrictJson json;
    private final int maxEvents;

    /** @param maxEvents the most events a request may hold: line splitting stops past it */
    EventDecoder(StrictJson json, int maxEvents) {
        this.json = json;
        this.maxEvents = maxEvents;
    }

    /**
     * An event of the request in its JSON form, and its bytes when the request held it in that
     * form already (structured, batch and plain JSON: the bytes it was parsed from); null in
     * binary mode, whose event is put together from headers and body.
     *
     * <p>In a line-delimited body each line stands alone: {@code line} is its number (from 1),
     * and a line that is not one JSON value is not an error of the request but of the line,
     * with {@code event} null and {@code refusal} saying why. Other modes have line 0.
     */
    record Decoded(JsonNode event, byte[] json, int line, Problem refusal) {

        Decoded(JsonNode event, byte[] json) {
            this(event, json, 0, null);
        }
    }

    /**
     * @param headers request headers with lower-case names (binary mode needs them; the other
     *     modes only ask whether {@link #BINARY_MODE_HEADER} is among them)
     */
    List<Decoded> decode(String contentType, Map<String, String> headers, byte[] body) {
        MediaType type = mediaType(contentType);
        if (headers.containsKey(BINARY_MODE_HEADER)) {
            return List.of(new Decoded(binary(type, contentType, headers, body), null));
        }
        String essence = type.getType() + "/" + type.getSubtype();
        return switch (essence) {
            case STRUCTURED -> {
                StrictJson.Values values = json.parseValues(body);
                if (values.array()) {
                    throw invalidRequest("A structured-mode body holds one event; send arrays as " + BATCH + ".");
                }
                yield decoded(values);
            }
            case BATCH -> {
                StrictJson.Values values = json.parseValues(body);
                if (!values.array()) {
                    throw invalidRequest("A batch-mode body is a JSON array of events.");
                }
                yield decoded(values);
            }
            case MediaType.APPLICATION_JSON -> decoded(json.parseValues(body));
            default -> {
                if (LINES.contains(essence)) {
                    yield lines(body);
                }
                throw unsupported();
            }
        };
    }

    private static List<Decoded> decoded(StrictJson.Values values) {
        if (values.array() && values.values().isEmpty()) {
            throw ProblemException.of(ProblemType.INVALID_EVENT, "The batch holds no event.");
        }
        List<Decoded> events = new ArrayList<>(values.values().size());
        for (StrictJson.Value value : values.values()) {
            events.add(new Decoded(value.node(), value.bytes()));
        }
        return events;
    }

    /**
     * One event per line, lines ending in LF or CRLF; blank lines after the last event are
     * allowed (a trailing newline is the norm), a blank line between events is a bad line.
     */
    private List<Decoded> lines(byte[] body) {
        int end = endOfLastLine(body);
        if (end == 0) {
            throw ProblemException.of(ProblemType.INVALID_EVENT, "The body holds no line with an event.");
        }
        List<Decoded> lines = new ArrayList<>();
        int start = 0;
        while (start < end) {
            int newline = start;
            while (newline < end && body[newline] != '\n') {
                newline++;
            }
            int lineEnd = newline > start && body[newline - 1] == '\r' ? newline - 1 : newline;
            int number = lines.size() + 1;
            if (number > maxEvents) {
                throw tooManyEvents(maxEvents);
            }
            try {
                StrictJson.Value value = json.parseLine(Arrays.copyOfRange(body, start, lineEnd));
                lines.add(new Decoded(value.node(), value.bytes(), number, null));
            } catch (ProblemException refused) {
                lines.add(new Decoded(null, null, number, refused.problem()));
            }
            start = newline + 1;
        }
        return lines;
    }

    /** Where the body ends without the blank lines (and spaces) after its last event. */
    private static int endOfLastLine(byte[] body) {
        int end = body.length;
        while (end > 0
                && (body[end - 1] == '\n' || body[end - 1] == '\r' || body[end - 1] == ' ' || body[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    /** Binary mode: attributes in {@code ce-*} headers, the body is the event's data. */
    private JsonNode binary(MediaType type, String contentType, Map<String, String> headers, byte[] body) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        headers.forEach((name, value) -> {
            if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
                event.put(name.substring(HEADER_PREFIX.length()), percentDecode(name, value));
            }
        });
        if (body.length > 0) {
            event.put("datacontenttype", contentType);
            if (isJson(type)) {
                event.set("data", json.parse(body));
            } else {
                event.put("data_base64", Base64.getEncoder().encodeToString(body));
            }
        }
        return event;
    }

    private static boolean isJson(MediaType type) {
        return type.getSubtype().equals("json") || type.getSubtype().endsWith("+json");
    }

    private static MediaType mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw unsupported();
        }
        MediaType type;
        try {
            type = MediaType.valueOf(contentType.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw unsupported();
        }
        String charset = type.getParameters().get("charset");
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Only UTF-8 is accepted as charset.");
        }
        return type;
    }

    /**
     * The HTTP binding percent-encodes header values outside printable ASCII; '+' stays '+'.
     * Not every client does: some send the value's UTF-8 bytes as they are, and the
     * CloudEvents Java SDK's HTTP writer sends ISO-8859-1 (the historical charset of header
     * fields, RFC 9110 section 5.5). A value with percent escapes must decode to UTF-8; one
     * without is read as UTF-8 when its bytes are UTF-8, else as ISO-8859-1.
     */
    private static String percentDecode(String header, String value) {
        // Header values arrive as ISO-8859-1 characters: each char is one byte on the wire.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        boolean escaped = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw invalidRequest("Header " + header + " ends in an incomplete percent-encoding.");
                }
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalidRequest("Header " + header + " holds an invalid percent-encoding.");
                }
                bytes.write(hi << 4 | lo);
                escaped = true;
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        byte[] decoded = bytes.toByteArray();
        if (Utf8.firstInvalid(decoded) < 0) {
            return new String(decoded, StandardCharsets.UTF_8);
        }
        if (!escaped) {
            return value;
        }
        throw invalidRequest("Header " + header + " does not decode to UTF-8.");
    }

    static ProblemException tooManyEvents(int maxEvents) {
        return ProblemException.of(ProblemType.PAYLOAD_TOO_LARGE, "A request holds at most " + maxEvents + " events.");
    }

    private static ProblemException invalidRequest(String detail) {
        return ProblemException.of(ProblemType.INVALID_REQUEST, detail);
    }

    private static ProblemException unsupported() {
        return ProblemException.of(
                ProblemType.UNSUPPORTED_MEDIA_TYPE,
                "Send " + STRUCTURED + ", " + BATCH + ", " + MediaType.APPLICATION_JSON + ", "
                        + String.join(", ", LINES) + " (one event per line),"
                        + " or any content type with ce-* headers (binary mode).");
    }
}
