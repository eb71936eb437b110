package io.sluice.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * JWTs for the tests, signed with an RSA key pair made per test JVM: the applications the
 * tests start trust its public key ({@code mp.jwt.verify.publickey}), as production trusts an
 * identity provider's. Nothing about the keys is stored in the repository.
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.sluice.test";

    /** Who the tokens are for: Sluice, as the identity provider names it. */
    public static final String AUDIENCE = "sluice";

    private static final KeyPair TRUSTED = rsaKeyPair();
    /** Signs tokens no application trusts: a bad signature. */
    private static final KeyPair UNTRUSTED = rsaKeyPair();

    private TestTokens() {}

    /** The settings that make an application trust {@link #token}'s signatures. */
    public static Map<String, String> verificationConfig() {
        return Map.of(
                "mp.jwt.verify.publickey",
                Base64.getEncoder().encodeToString(TRUSTED.getPublic().getEncoded()),
                "mp.jwt.verify.issuer",
                ISSUER,
                "mp.jwt.verify.audiences",
                AUDIENCE);
    }

    /** A valid token for {@code tenant} with {@code scopes} (space-separated), good for five minutes. */
    public static String token(String subject, String tenant, String scopes) {
        return note(claims(subject, tenant, scopes).expiresIn(300).sign(TRUSTED.getPrivate()));
    }

    /** A token that expired ten minutes ago (well beyond any allowed clock skew). */
    public static String expired(String subject, String tenant, String scopes) {
        long past = Instant.now().getEpochSecond() - 600;
        return note(claims(subject, tenant, scopes)
                .issuedAt(past - 300)
                .expiresAt(past)
                .sign(TRUSTED.getPrivate()));
    }

    /** A token like {@link #token} signed by a key the application does not trust. */
    public static String badSignature(String subject, String tenant, String scopes) {
        return note(claims(subject, tenant, scopes).expiresIn(300).sign(UNTRUSTED.getPrivate()));
    }

    /** A token that claims to need no signature ({@code "alg": "none"}): the oldest JWT attack. */
    public static String unsigned(String subject, String tenant, String scopes) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"tenant\":\""
                        + tenant + "\",\"scope\":\"" + scopes + "\",\"exp\":"
                        + (Instant.now().getEpochSecond() + 300) + "}")
                .getBytes(StandardCharsets.UTF_8));
        return note(header + "." + claims + ".");
    }

    /** A valid token without a tenant claim. */
    public static String withoutTenant(String subject, String scopes) {
        return note(Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .claim("scope", scopes)
                .expiresIn(300)
                .sign(TRUSTED.getPrivate()));
    }

    /** A token like {@link #token}, signed by the trusted key, but for another service. */
    public static String forAnotherAudience(String subject, String tenant, String scopes) {
        return note(claims(subject, tenant, scopes)
                .audience("billing")
                .expiresIn(300)
                .sign(TRUSTED.getPrivate()));
    }

    /** A token like {@link #token}, signed by the trusted key, naming another issuer. */
    public static String fromAnotherIssuer(String subject, String tenant, String scopes) {
        return note(claims(subject, tenant, scopes)
                .issuer("https://other-issuer.sluice.test")
                .expiresIn(300)
                .sign(TRUSTED.getPrivate()));
    }

    private static JwtClaimsBuilder claims(String subject, String tenant, String scopes) {
        return Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .claim("tenant", tenant)
                .claim("scope", scopes);
    }

    private static String note(String token) {
        TestCredentials.used(token);
        return token;
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
