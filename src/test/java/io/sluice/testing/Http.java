package io.sluice.testing;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;
import java.net.URI;

/**
 * RestAssured requests that send the content type exactly as the test wrote it, with the
 * default test key of the application under test (see {@link TestCredentials}); and requests
 * to its management interface, where health and metrics are served.
 */
public final class Http {

    // RestAssured would otherwise append "; charset=ISO-8859-1", which Sluice rightly refuses for JSON.
    private static final RestAssuredConfig AS_WRITTEN = RestAssuredConfig.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private Http() {}

    public static RequestSpecification given() {
        return anonymous().header("Authorization", "Bearer " + TestCredentials.defaultKey());
    }

    /** Without credentials: for the tests of what happens without (or with other) credentials. */
    public static RequestSpecification anonymous() {
        return RestAssured.given().config(AS_WRITTEN);
    }

    /**
     * To the management interface of the application under test ({@code /q/health},
     * {@code /q/metrics}), without credentials: it is another port than the API's.
     */
    public static RequestSpecification management() {
        URI management = managementUri();
        // The port apart: RestAssured's own port (the API's, set by Quarkus) would win over one in the URI.
        return RestAssured.given()
                .config(AS_WRITTEN)
                .baseUri(management.getScheme() + "://" + management.getHost())
                .port(management.getPort());
    }

    /**
     * The management interface's origin, without Quarkus's root path: the random test port of a
     * {@code @QuarkusTest}, or the port {@link ManagementPortResource} gave a packaged application.
     */
    public static URI managementUri() {
        String packaged = System.getProperty(ManagementPortResource.URL_PROPERTY);
        return URI.create(packaged != null ? packaged : TestHTTPResourceManager.getManagementUri())
                .resolve("/");
    }
}
