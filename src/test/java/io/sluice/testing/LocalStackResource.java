package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives every {@code @QuarkusTest} a real Kafka, PostgreSQL and Redis.
 *
 * <p>By default it uses the local stack ({@code scripts/stack}): a stack already running
 * (started by {@code .ci/run} or by a developer) is used as it is; otherwise this resource
 * starts it and stops it again when the test JVM exits. With
 * {@code -Dstack=containers} and a Docker engine, Testcontainers starts them instead.
 */
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    /** Database the tests own; created by {@code scripts/stack up}, migrated by Flyway. */
    static final String TEST_DATABASE = "sluice_test";

    @Override
    public Map<String, String> start() {
        if (ContainerStack.requested()) {
            return withCredentials(ContainerStack.shared().config());
        }
        return SharedLocalStack.config();
    }

    /**
     * {@code backends} plus what every application the tests start trusts: the test JVM's
     * bootstrap admin key and JWT verification key (see {@link TestCredentials}, {@link TestTokens}).
     */
    static Map<String, String> withCredentials(Map<String, String> backends) {
        Map<String, String> config = new HashMap<>(backends);
        config.put("sluice.security.bootstrap-admin-key", TestCredentials.BOOTSTRAP);
        config.putAll(TestTokens.verificationConfig());
        return Map.copyOf(config);
    }

    /** The shared stack's settings (with the test credentials), for test resources and packaged applications that build on it. */
    public static Map<String, String> sharedConfig() {
        return SharedLocalStack.config();
    }

    @Override
    public void stop() {
        // Shared across test classes for the whole JVM: stopped by a shutdown hook, if this JVM started it.
    }

    /** The single-node local stack, brought up at most once per test JVM. */
    static final class SharedLocalStack {
        private static Map<String, String> config;

        static synchronized Map<String, String> config() {
            if (config == null) {
                LocalStack stack = LocalStack.shared(1);
                config = withCredentials(Map.of(
                        "kafka.bootstrap.servers", stack.bootstrapServers(),
                        "quarkus.datasource.reactive.url",
                                "postgresql://127.0.0.1:" + env("SLUICE_PG_PORT", "5432") + "/" + TEST_DATABASE,
                        "quarkus.redis.hosts", "redis://127.0.0.1:" + env("SLUICE_REDIS_PORT", "6379")));
            }
            return config;
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }
}
