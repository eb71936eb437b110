package io.sluice.testing;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;

/**
 * RestAssured requests that send the content type exactly as the test wrote it, with the
 * default test key of the application under test (see {@link TestCredentials}).
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
}
