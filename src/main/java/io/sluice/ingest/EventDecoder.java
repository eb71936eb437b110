package io.sluice.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.Utf8;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a request into CloudEvents in their JSON form, whatever mode the client used:
 * structured ({@code application/cloudevents+json}), batch
 * ({@code application/cloudevents-batch+json}), binary ({@code ce-*} headers, the body is
 * the data) or plain {@code application/json} (one event or an array of them).
 */
final class EventDecoder {

    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";
    private static final String HEADER_PREFIX = "ce-";
    /** A request with this header is in binary mode. */
    static final String BINARY_MODE_HEADER = HEADER_PREFIX + "specversion";

    private final StrictJson json;

    EventDecoder(StrictJson json) {
        this.json = json;
    }

    /**
     * An event of the request in its JSON form, and its bytes when the request held it in that
     * form already (structured, batch and plain JSON: the bytes it was parsed from); null in
     * binary mode, whose event is put together from headers and body.
     */
    record Decoded(JsonNode event, byte[] json) {}

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
            default -> throw unsupported();
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

    /** The HTTP binding percent-encodes header values outside printable ASCII; '+' stays '+'. */
    private static String percentDecode(String header, String value) {
        // Header values arrive as ISO-8859-1 characters: each char is one byte on the wire.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
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
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        byte[] decoded = bytes.toByteArray();
        if (Utf8.firstInvalid(decoded) >= 0) {
            throw invalidRequest("Header " + header + " does not decode to UTF-8.");
        }
        return new String(decoded, StandardCharsets.UTF_8);
    }

    private static ProblemException invalidRequest(String detail) {
        return ProblemException.of(ProblemType.INVALID_REQUEST, detail);
    }

    private static ProblemException unsupported() {
        return ProblemException.of(
                ProblemType.UNSUPPORTED_MEDIA_TYPE,
                "Send " + STRUCTURED + ", " + BATCH + ", " + MediaType.APPLICATION_JSON
                        + ", or any content type with ce-* headers (binary mode).");
    }
}
