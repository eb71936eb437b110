package io.sluice.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record's headers as JSON, in order and with repeats: {@code [{"name", "value"}]} for text,
 * {@code [{"name", "base64"}]} for other bytes. Readable when an operator inspects
 * a dead letter, and exact when it is redriven.
 */
public final class HeadersJson {

    private HeadersJson() {}

    public static ArrayNode toJson(Headers headers) {
        ArrayNode json = JsonNodeFactory.instance.arrayNode();
        for (Header header : headers) {
            ObjectNode entry = json.addObject();
            if (header.key().indexOf('\0') < 0) {
                entry.put("name", header.key());
            } else {
                entry.put(
                        "nameBase64",
                        Base64.getEncoder().encodeToString(header.key().getBytes(StandardCharsets.UTF_8)));
            }
            byte[] value = header.value();
            if (value == null) {
                entry.putNull("value");
            } else {
                String text = utf8(value);
                // JSONB cannot hold NUL: such a value is kept as bytes.
                if (text != null && text.indexOf('\0') < 0) {
                    entry.put("value", text);
                } else {
                    entry.put("base64", Base64.getEncoder().encodeToString(value));
                }
            }
        }
        return json;
    }

    public static RecordHeaders fromJson(JsonNode json) {
        RecordHeaders headers = new RecordHeaders();
        for (JsonNode entry : json) {
            String name = entry.has("nameBase64")
                    ? new String(
                            Base64.getDecoder().decode(entry.get("nameBase64").asText()), StandardCharsets.UTF_8)
                    : entry.path("name").asText();
            if (entry.hasNonNull("base64")) {
                headers.add(name, Base64.getDecoder().decode(entry.get("base64").asText()));
            } else if (entry.hasNonNull("value")) {
                headers.add(name, entry.get("value").asText().getBytes(StandardCharsets.UTF_8));
            } else {
                headers.add(name, null);
            }
        }
        return headers;
    }

    /** The text, or null when the bytes are not valid UTF-8. */
    private static String utf8(byte[] value) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
