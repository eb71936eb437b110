package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.error.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes each parsed value keeps are exactly that value: they become Kafka records as they are. */
class StrictJsonTest {

    private final StrictJson json = new StrictJson(32);

    @Test
    void eachElementOfAnArrayKeepsExactlyItsOwnBytes() {
        String[] elements = {
            "{\"id\":\"1\",\"data\":{\"text\":\"] } , [ {\"}}",
            "{ \"id\" : \"é – 😀\", \"data\" : [1, [2, {\"a\": \"\\\"}\"}]] }",
            "{\"id\":\"\\u00e9\\ud83d\\ude00\",\"n\":-1.5e3}"
        };
        String body = " \n[ " + elements[0] + " ,\n\t" + elements[1] + "," + elements[2] + " ] \n";

        StrictJson.Values values = json.parseValues(utf8(body));

        assertThat(values.array()).isTrue();
        assertThat(values.values()).hasSize(3);
        for (int i = 0; i < elements.length; i++) {
            StrictJson.Value value = values.values().get(i);
            assertThat(new String(value.bytes(), StandardCharsets.UTF_8)).isEqualTo(elements[i]);
            assertThat(json.parse(value.bytes())).isEqualTo(value.node());
        }
    }

    @Test
    void aSingleValueIsItsBytesWithoutTheWhitespaceAroundIt() {
        String event = "{\"id\":\"1\",\"data\":[\"[\",\"{\"]}";

        List<StrictJson.Value> values =
                json.parseValues(utf8("\r\n  " + event + "  \n")).values();

        assertThat(values).hasSize(1);
        assertThat(new String(values.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo(event);
    }

    @Test
    void aValueThatIsTheWholeBodyIsNotCopied() {
        byte[] body = utf8("{\"id\":\"1\"}");

        assertThat(json.parseValues(body).values().get(0).bytes()).isSameAs(body);
    }

    @Test
    void nullIsAValueLikeAnyOther() {
        assertThat(json.parseValues(utf8("null")).values().get(0).node().isNull())
                .isTrue();
        assertThat(json.parseValues(utf8("[null, 1]")).values())
                .extracting(StrictJson.Value::node)
                .allSatisfy(node -> assertThat(node).isNotNull());
    }

    @Test
    void contentAfterTheValueIsRefused() {
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"id\":1}] {\"id\":2}")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("more than one JSON value");
        assertThatThrownBy(() -> json.parseValues(utf8("{\"id\":1} x")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("not well-formed JSON");
    }

    @Test
    void duplicateKeysInsideAnElementAreRefused() {
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"id\":1},{\"id\":2,\"id\":3}]")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("Duplicate field");
    }

    @Test
    void aNumberOutOfDoubleRangeIsNamedByItsPointerInTheArray() {
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"a\":1},{\"data\":{\"x\":1e400}}]")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("/1/data/x");
    }

    @Test
    void theShortWayRefusesWhatTheWholeTreeRefusesInsideData() {
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"id\":\"1\",\"data\":{\"a\":[{\"b\":1,\"b\":2}]}}]")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("Duplicate field 'b'");
        String deep = "[".repeat(40) + "]".repeat(40);
        assertThatThrownBy(() -> json.parseValues(utf8("{\"id\":\"1\",\"data\":" + deep + "}")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("nesting deeper than 32");
        assertThatThrownBy(() -> json.parseValues(utf8("{\"id\":\"1\",\"data\":{\"a\":[1,2}}")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("not well-formed JSON");
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"data\":{\"n\":" + "9".repeat(400) + "}}]")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("/0/data/n");
        assertThatThrownBy(() -> json.parseValues(utf8("[{\"data\":[0,-1.7976931348623158e308]}]")))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("/0/data/1");
        assertThat(json.parseValues(utf8("[{\"data\":[1.7976931348623157e308, 1e-400, " + "9".repeat(300) + "]}]"))
                        .values())
                .hasSize(1);
    }

    @Test
    void theShortWayKeepsEveryAttributeAndOnlyStandsInForStructuredData() {
        String event = "{\"specversion\":\"1.0\",\"id\":\"7\",\"source\":\"/s\",\"type\":\"t\","
                + "\"flag\":true,\"count\":12,\"big\":12345678901234,\"ratio\":0.5,\"gone\":null,"
                + "\"nested\":{\"x\":[1]},\"data\":{\"a\":[1,{\"b\":\"c\"}]}}";
        JsonNode tree = json.parse(utf8(event));

        JsonNode attributes = json.parseValues(utf8("[" + event + "," + event + "]"))
                .values()
                .get(1)
                .node();

        assertThat(names(attributes)).isEqualTo(names(tree));
        tree.fieldNames().forEachRemaining(name -> {
            if (!name.equals("data")) {
                assertThat(attributes.get(name)).as(name).isEqualTo(tree.get(name));
            }
        });
        assertThat(attributes.get("data").isObject()).isTrue();
        assertThat(attributes.get("data").isEmpty()).isTrue();
        assertThat(json.parseValues(utf8("{\"data\":\"text\"}"))
                        .values()
                        .get(0)
                        .node()
                        .get("data")
                        .textValue())
                .isEqualTo("text");
    }

    @Test
    void aBodyWithAUnicodeEscapeIsReadAsWholeTreesSoItsStringsCanBeChecked() {
        JsonNode event = json.parseValues(utf8("[{\"id\":\"1\",\"data\":{\"a\":\"x\\u0000\"}}]"))
                .values()
                .get(0)
                .node();

        assertThat(event.at("/data/a").textValue()).isEqualTo("x\0");
    }

    @Test
    void binaryModeDataIsAlwaysAWholeTree() {
        JsonNode data = json.parse(utf8("{\"data\":{\"a\":1}}"));

        assertThat(data.at("/data/a").intValue()).isEqualTo(1);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
