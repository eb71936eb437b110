package io.sluice.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** A request body that must be one JSON object; anything else is a 400 problem naming what was expected. */
public final class JsonObjectBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonObjectBody() {}

    /** @param what the request, for the problem's detail: "A {what} is a JSON object." */
    public static ObjectNode parse(byte[] body, String what) {
        try {
            JsonNode request = JSON.readTree(body);
            if (request != null && request.isObject()) {
                return (ObjectNode) request;
            }
        } catch (IOException e) {
            // answered below
        }
        throw ProblemException.of(ProblemType.MALFORMED_JSON, "A " + what + " is a JSON object.");
    }
}
