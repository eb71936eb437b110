package io.sluice.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Whether JWTs are accepted, and verified as strictly as they must be. They are accepted once a
 * verification key is set ({@code mp.jwt.verify.publickey}, {@code mp.jwt.verify.publickey.location}
 * or {@code smallrye.jwt.verify.key.location}); then the issuer ({@code mp.jwt.verify.issuer})
 * and the audience ({@code mp.jwt.verify.audiences}) must be set too, or start-up refuses:
 * without them, any token the identity provider signs, for any service, would be good here.
 */
@ApplicationScoped
public class JwtSettings {

    private static final List<String> KEYS =
            List.of("mp.jwt.verify.publickey", "mp.jwt.verify.publickey.location", "smallrye.jwt.verify.key.location");
    static final String ISSUER = "mp.jwt.verify.issuer";
    static final String AUDIENCES = "mp.jwt.verify.audiences";

    /**
     * What the settings say.
     *
     * @param accepted whether a verification key is set
     * @param found the settings in a few words, for the pitfall report
     * @param problem why start-up refuses, or null
     */
    public record Verdict(boolean accepted, String found, String problem) {}

    public static Verdict of(Config config) {
        boolean accepted = KEYS.stream().anyMatch(key -> value(config, key).isPresent());
        if (!accepted) {
            return new Verdict(false, "off (no verification key)", null);
        }
        Optional<String> issuer = value(config, ISSUER);
        Optional<String> audiences = value(config, AUDIENCES);
        String found = "issuer " + issuer.orElse("(not set)") + ", audience " + audiences.orElse("(not set)");
        if (issuer.isEmpty() || audiences.isEmpty()) {
            return new Verdict(
                    true,
                    found,
                    "JWTs are accepted (a verification key is set) but " + ISSUER + " and " + AUDIENCES
                            + " must be set too: without them a token the identity provider signed for any other"
                            + " service would be accepted here");
        }
        return new Verdict(true, found, null);
    }

    void refuseLaxVerification(@Observes StartupEvent startup, Config config) {
        String problem = of(config).problem();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    private static Optional<String> value(Config config, String name) {
        return config.getOptionalValue(name, String.class).filter(text -> !text.isBlank());
    }
}
