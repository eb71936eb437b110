package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** JWTs are accepted only when a key, an issuer and an audience are all set; start-up refuses half of it. */
class JwtSettingsTest {

    @Test
    void withoutAVerificationKeyJwtsAreSimplyOff() {
        JwtSettings.Verdict verdict = JwtSettings.of(config(Map.of()));

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.problem()).isNull();
    }

    @Test
    void aKeyWithIssuerAndAudienceIsAccepted() {
        JwtSettings.Verdict verdict = JwtSettings.of(config(Map.of(
                "mp.jwt.verify.publickey.location", "https://idp.example/jwks",
                "mp.jwt.verify.issuer", "https://idp.example",
                "mp.jwt.verify.audiences", "sluice")));

        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.problem()).isNull();
        assertThat(verdict.found()).isEqualTo("issuer https://idp.example, audience sluice");
    }

    @Test
    void aKeyWithoutAnAudienceOrAnIssuerRefusesToStart() {
        Config noAudience = config(Map.of(
                "mp.jwt.verify.publickey.location", "https://idp.example/jwks",
                "mp.jwt.verify.issuer", "https://idp.example"));
        Config noIssuer = config(
                Map.of("smallrye.jwt.verify.key.location", "/keys/idp.pem", "mp.jwt.verify.audiences", "sluice"));

        assertThat(JwtSettings.of(noAudience).problem()).contains("mp.jwt.verify.audiences");
        assertThat(JwtSettings.of(noIssuer).problem()).contains("mp.jwt.verify.issuer");
        assertThatThrownBy(() -> new JwtSettings().refuseLaxVerification(null, noAudience))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be set too");
    }

    private static Config config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withDefaultValues(values).build();
    }
}
