package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The shared stack, with events and dead-letter topics and a consumer group of the test
 * class's own, created fresh: what the sink stores and dead-letters during the test came from
 * the test and nothing else. PostgreSQL and Redis are reached through proxies the test can
 * cut, as a stopped server would be.
 */
public class SinkTopicsResource implements QuarkusTestResourceLifecycleManager {

    public static String eventsTopic;
    public static String deadLetterTopic;
    public static String consumerGroup;
    public static TcpProxy postgres;
    public static TcpProxy redis;

    @Override
    public Map<String, String> start() {
        Map<String, String> shared = LocalStackResource.sharedConfig();
        String run = UUID.randomUUID().toString().substring(0, 8);
        eventsTopic = "sink-test-" + run + ".events";
        deadLetterTopic = "sink-test-" + run + ".dlq";
        String bootstrap = shared.get("kafka.bootstrap.servers");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, String> settings = Map.of("max.message.bytes", "2097152");
            admin.createTopics(List.of(
                            new NewTopic(eventsTopic, 6, (short) 1).configs(settings),
                            new NewTopic(deadLetterTopic, 6, (short) 1).configs(settings)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the sink test topics", e);
        }
        URI postgresUrl = URI.create(shared.get("quarkus.datasource.reactive.url"));
        postgres = new TcpProxy(postgresUrl.getPort());
        redis = new TcpProxy(URI.create(shared.get("quarkus.redis.hosts")).getPort());

        Map<String, String> config = new HashMap<>(shared);
        config.put("sluice.topics.events", eventsTopic);
        config.put("sluice.topics.dead-letter", deadLetterTopic);
        consumerGroup = "sink-test-" + run;
        config.put("mp.messaging.incoming.events-sink.group.id", consumerGroup);
        config.put(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + postgres.port() + postgresUrl.getPath());
        // Flyway migrates through the direct connection, not the proxy the tests cut.
        config.put("quarkus.datasource.jdbc.url", "jdbc:" + postgresUrl);
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port());
        return config;
    }

    @Override
    public void stop() {
        postgres.close();
        redis.close();
    }
}
