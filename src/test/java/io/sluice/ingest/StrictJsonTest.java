package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.error.ProblemException;
import java.nio.charset.StandardCharsets;
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

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
