package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * A one-broker cluster of the test's own, for tests that hang, kill or restart "the" broker
 * without disturbing the others; PostgreSQL and Redis stay the shared ones.
 */
public class PrivateBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static LocalStack kafka;

    /** The broker of the test that is running. */
    public static LocalStack kafka() {
        return kafka;
    }

    @Override
    public Map<String, String> start() {
        kafka = LocalStack.isolated("private-broker");
        kafka.up();
        Map<String, String> config = new HashMap<>(LocalStackResource.sharedConfig());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    @Override
    public void stop() {
        kafka.down();
    }
}
