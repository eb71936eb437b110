package io.sluice.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules themselves, without a server: which member each violation points at. */
class CloudEventRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"";

    @Test
    void aValidEventHasNoViolations() throws Exception {
        assertThat(check(VALID + ",\"time\":\"2026-11-25T20:00:00z\",\"ext1\":7,\"data\":{\"a\":[1,\"x\"]}}"))
                .isEmpty();
    }

    @Test
    void anUnstorableStringDeepInDataIsPointedAtWithEscapedTokens() throws Exception {
        assertThat(pointers(check(VALID + ",\"data\":{\"a\":[1,{\"ok\":\"y\",\"b~/c\":\"x\\u0000\"}]}}")))
                .containsExactly("/data/a/1/b~0~1c");
        assertThat(pointers(check(VALID + ",\"data\":[\"fine\",\"\\ud800\"]}"))).containsExactly("/data/1");
    }

    @Test
    void anUnstorableMemberNameIsPointedAtItself() throws Exception {
        assertThat(pointers(check(VALID + ",\"data\":{\"k\\udc00\":1}}"))).containsExactly("/data/k\udc00");
    }

    @Test
    void attributeNamesAreOneToTwentyLowerCaseLettersOrDigits() throws Exception {
        assertThat(check(VALID + ",\"abc123\":\"x\",\"" + "a".repeat(20) + "\":\"x\"}"))
                .isEmpty();
        assertThat(pointers(check(VALID + ",\"Ext\":\"x\"}"))).containsExactly("/Ext");
        assertThat(pointers(check(VALID + ",\"" + "a".repeat(21) + "\":\"x\"}")))
                .containsExactly("/" + "a".repeat(21));
        assertThat(pointers(check(VALID + ",\"a-b\":\"x\",\"a/b\":\"x\"}"))).containsExactly("/a-b", "/a~1b");
        assertThat(pointers(check(VALID + ",\"\":\"x\"}"))).containsExactly("/");
    }

    @Test
    void attributeValuesAreCheckedByKind() throws Exception {
        assertThat(pointers(check(VALID + ",\"data_base64\":\"not base64!\"}"))).containsExactly("/data_base64");
        assertThat(pointers(check(VALID + ",\"time\":\"yesterday\"}"))).containsExactly("/time");
        assertThat(pointers(check(VALID + ",\"ext\":1.5}"))).containsExactly("/ext");
        assertThat(pointers(check("{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"/s\",\"type\":\"t\"}")))
                .containsExactly("/id");
    }

    private static List<Violation> check(String event) throws Exception {
        JsonNode node = JSON.readTree(event);
        return CloudEventRules.check(0, node);
    }

    private static List<String> pointers(List<Violation> violations) {
        return violations.stream().map(Violation::pointer).toList();
    }
}
