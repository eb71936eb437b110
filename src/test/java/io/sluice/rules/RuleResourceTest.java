package io.sluice.rules;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /v1/rules}: validated, versioned, and a lost update refused. */
@QuarkusTest
class RuleResourceTest {

    private static final String THRESHOLD =
            "{\"name\":\"hot\",\"kind\":\"threshold\",\"severity\":\"critical\",\"type\":\"rule-resource-test\","
                    + "\"pointer\":\"/temperature\",\"op\":\">\",\"value\":80}";

    @Test
    void aRuleIsCreatedReadListedReplacedWithANewVersionAndDeleted() {
        Response created =
                given().contentType("application/json").body(THRESHOLD).post("/v1/rules");
        created.then()
                .statusCode(201)
                .header("ETag", "\"1\"")
                .body("version", equalTo(1))
                .body("kind", equalTo("threshold"))
                .body("pointer", equalTo("/temperature"))
                .body("op", equalTo(">"))
                .body("value", equalTo(80.0f));
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/v1/rules/" + id);

        given().get("/v1/rules/" + id).then().statusCode(200).body("name", equalTo("hot"));
        given().get("/v1/rules").then().statusCode(200).body("id", hasItem(id));

        String rate = "{\"name\":\"burst\",\"kind\":\"rate\",\"type\":\"rule-resource-test\",\"count\":5,"
                + "\"window\":\"PT1M\"}";
        given().contentType("application/json")
                .header("If-Match", "\"1\"")
                .body(rate)
                .put("/v1/rules/" + id)
                .then()
                .statusCode(200)
                .header("ETag", "\"2\"")
                .body("version", equalTo(2))
                .body("kind", equalTo("rate"))
                .body("window", equalTo("PT1M"))
                .body("severity", equalTo("warning"));
        // A writer that read version 1 cannot overwrite version 2 unseen.
        given().contentType("application/json")
                .header("If-Match", "\"1\"")
                .body(THRESHOLD)
                .put("/v1/rules/" + id)
                .then()
                .statusCode(412)
                .contentType("application/problem+json");

        given().delete("/v1/rules/" + id).then().statusCode(204);
        given().get("/v1/rules/" + id).then().statusCode(404).contentType("application/problem+json");
        given().delete("/v1/rules/" + id).then().statusCode(404);
        given().contentType("application/json")
                .body(THRESHOLD)
                .put("/v1/rules/" + id)
                .then()
                .statusCode(404);
    }

    @Test
    void everyProblemOfAnInvalidRuleIsNamedAtOnce() {
        String invalid = "{\"name\":\"\",\"kind\":\"rate\",\"severity\":\"loud\",\"count\":0,\"window\":\"soon\","
                + "\"windw\":\"PT1M\"}";
        Response response =
                given().contentType("application/json").body(invalid).post("/v1/rules");
        response.then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:sluice:problem:invalid-rule"));
        List<Map<String, String>> errors = response.path("errors");
        assertThat(errors)
                .extracting(error -> error.get("pointer"))
                .containsExactlyInAnyOrder("/name", "/severity", "/count", "/window", "/windw");
    }

    @Test
    void kindSpecificMistakesAreRefused() {
        assertRefused(
                "{\"name\":\"n\",\"kind\":\"threshold\",\"pointer\":\"temperature\",\"op\":\">\",\"value\":1}",
                "/pointer");
        assertRefused("{\"name\":\"n\",\"kind\":\"threshold\",\"pointer\":\"/t\",\"op\":\"=>\",\"value\":1}", "/op");
        assertRefused(
                "{\"name\":\"n\",\"kind\":\"threshold\",\"pointer\":\"/t\",\"op\":\">\",\"value\":\"1\"}", "/value");
        assertRefused("{\"name\":\"n\",\"kind\":\"absence\",\"silence\":\"PT0.5S\"}", "/silence");
        assertRefused("{\"name\":\"n\",\"kind\":\"rate\",\"count\":2,\"window\":\"P2D\"}", "/window");
        assertRefused("{\"name\":\"n\",\"kind\":\"sometimes\"}", "/kind");
        assertRefused("{\"name\":\"n\",\"kind\":\"absence\",\"silence\":\"PT1M\",\"count\":3}", "/count");
        given().contentType("application/json")
                .body("[1,2]")
                .post("/v1/rules")
                .then()
                .statusCode(400)
                .body("type", startsWith("urn:sluice:problem:"));
        given().contentType("application/json")
                .body("{\"name\":")
                .post("/v1/rules")
                .then()
                .statusCode(400);
    }

    private static void assertRefused(String body, String pointer) {
        Response response = given().contentType("application/json").body(body).post("/v1/rules");
        response.then().statusCode(422);
        List<Map<String, String>> errors = response.path("errors");
        assertThat(errors).extracting(error -> error.get("pointer")).contains(pointer);
    }
}
