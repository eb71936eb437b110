package io.sluice.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every mistake of a request named in one answer, each with its JSON Pointer. */
class FieldErrorsTest {

    @Test
    void oneProblemNamesEveryMistakeInOrder() throws Exception {
        JsonNode request = new ObjectMapper().readTree("{\"from\": 1, \"color\": \"red\", \"size\": 2}");
        FieldErrors errors = new FieldErrors();
        errors.add("/from", "must be an RFC 3339 time");
        errors.unknownMembers(request, Set.of("from", "to"), "replay request");

        ProblemException refused = catchThrowableOfType(
                ProblemException.class, () -> errors.throwIfAny(ProblemType.INVALID_REQUEST, "replay request"));

        assertThat(refused.problem().detail()).isEqualTo("The replay request is not valid: see errors.");
        assertThat(refused.problem().status()).isEqualTo(400);
        assertThat(refused.problem().extensions().get("errors"))
                .isEqualTo(List.of(
                        Map.of("pointer", "/from", "detail", "must be an RFC 3339 time"),
                        Map.of("pointer", "/color", "detail", "is not a member of a replay request"),
                        Map.of("pointer", "/size", "detail", "is not a member of a replay request")));
    }

    @Test
    void noMistakeNoProblem() {
        FieldErrors errors = new FieldErrors();

        assertThat(errors.isEmpty()).isTrue();
        assertThatNoException().isThrownBy(() -> errors.throwIfAny(ProblemType.INVALID_REQUEST, "replay request"));
    }
}
