package io.sluice.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;

/**
 * An event's members read straight from the parser, as ingest and the sink both do for the
 * attributes beside {@code data}: most are strings, booleans or null, which need no mapper.
 */
public final class ScalarNodes {

    private ScalarNodes() {}

    /** The string, boolean or null the parser is at as a node; null for any other token, which the caller's mapper reads. */
    public static JsonNode plain(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.instance;
            default -> null;
        };
    }
}
