package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the application at the shared three-node cluster (RF 3, min ISR 2, unclean leader
 * election off), with PostgreSQL and Redis from the shared stack. For tests that kill brokers.
 */
public class ReplicatedKafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(LocalStackResource.sharedConfig());
        config.put("kafka.bootstrap.servers", LocalStack.shared(3).bootstrapServers());
        return config;
    }

    @Override
    public void stop() {
        // The cluster is shared by the JVM's test classes; LocalStack.shared stops it at exit.
    }
}
