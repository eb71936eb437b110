package io.sluice.security;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.TestCredentials;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The key admin API: a key is shown once, listed without its secret, revoked once; bad requests say all that is wrong. */
@QuarkusTest
class ApiKeyResourceTest {

    private final String tenant = "keys-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aKeyIsShownOnceListedWithoutItsSecretAndRevokedOnce() {
        Response created = bootstrap()
                .contentType("application/json")
                .body("{\"tenant\":\"" + tenant
                        + "\",\"scopes\":[\"ingest\",\"subscribe\"],\"description\":\"line 4\"}")
                .post("/v1/admin/keys");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = created.path("id");
        String key = created.path("key");
        TestCredentials.used(key);
        assertThat(key).startsWith("slk_" + id + "_");
        assertThat(created.header("Location")).endsWith("/v1/admin/keys/" + id);

        Response listed = bootstrap().get("/v1/admin/keys?tenant=" + tenant);
        assertThat(listed.<List<String>>path("id")).containsExactly(id);
        assertThat(listed.<List<List<String>>>path("scopes")).containsExactly(List.of("ingest", "subscribe"));
        // The secret is what follows "slk_<id>_" (it may itself hold '_': base64url).
        assertThat(listed.asString()).doesNotContain(key.substring(("slk_" + id + "_").length()));

        as(key).get("/v1/alerts").then().statusCode(200);
        bootstrap().delete("/v1/admin/keys/" + id).then().statusCode(204);
        as(key).get("/v1/alerts").then().statusCode(401);
        bootstrap().delete("/v1/admin/keys/" + id).then().statusCode(404);
        assertThat(bootstrap().get("/v1/admin/keys?tenant=" + tenant).<List<String>>path("revokedAt"))
                .hasSize(1)
                .doesNotContainNull();
    }

    @Test
    void aBadKeyRequestGets422NamingEveryProblem() {
        Response refused = bootstrap()
                .contentType("application/json")
                .body("{\"tenant\":\"no spaces\",\"scopes\":[\"ingest\",\"root\",\"ingest\"],"
                        + "\"expiresAt\":\"2020-01-01T00:00:00Z\",\"owner\":\"me\"}")
                .post("/v1/admin/keys");
        assertThat(refused.statusCode()).isEqualTo(422);
        refused.then().body("type", equalTo("urn:sluice:problem:invalid-key-request"));
        assertThat(refused.<List<String>>path("errors.pointer"))
                .containsExactlyInAnyOrder("/owner", "/tenant", "/scopes/1", "/scopes/2", "/expiresAt");

        bootstrap()
                .contentType("application/json")
                .body("{\"scopes\":[\"ingest\"]}")
                .post("/v1/admin/keys")
                .then()
                .statusCode(422)
                .body("errors[0].pointer", equalTo("/tenant"));
        bootstrap()
                .contentType("application/json")
                .body("[1,2]")
                .post("/v1/admin/keys")
                .then()
                .statusCode(400);
    }

    @Test
    void aTenantAdminMakesKeysOfItsOwnTenantWithoutNamingIt() {
        String admin = TestCredentials.createKey(TestCredentials.appUri(), tenant, "admin");
        Response created = as(admin)
                .contentType("application/json")
                .body("{\"scopes\":[\"ingest\"]}")
                .post("/v1/admin/keys");
        assertThat(created.statusCode()).isEqualTo(201);
        TestCredentials.used(created.path("key"));
        assertThat(created.<String>path("tenant")).isEqualTo(tenant);
        assertThat(created.<String>path("createdBy")).startsWith("key:");
    }

    private static RequestSpecification bootstrap() {
        return as(TestCredentials.BOOTSTRAP);
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
