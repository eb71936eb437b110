package io.sluice.testing;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Kafka, PostgreSQL and Redis in containers, for machines with a Docker engine
 * ({@code mvn verify -Dstack=containers}). Same versions and topic settings as
 * the local stack; the containers live as long as the test JVM.
 */
final class ContainerStack {

    private static ContainerStack shared;

    private final KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.2");
    private final PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17-alpine")
            .withDatabaseName(LocalStackResource.TEST_DATABASE)
            .withUsername("postgres")
            .withPassword("postgres");
    private final GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);

    static boolean requested() {
        return "containers".equals(System.getProperty("stack"));
    }

    static synchronized ContainerStack shared() {
        if (shared == null) {
            shared = new ContainerStack();
            shared.start();
        }
        return shared;
    }

    private void start() {
        kafka.start();
        postgres.start();
        redis.start();
        createTopics();
    }

    private void createTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<String, String> configs = Map.of("unclean.leader.election.enable", "false");
            admin.createTopics(List.of(
                            new NewTopic("sluice.events", 6, (short) 1).configs(configs),
                            new NewTopic("sluice.events.dlq", 6, (short) 1).configs(configs),
                            new NewTopic("sluice.alerts", 6, (short) 1).configs(configs)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics in the Kafka container", e);
        }
    }

    Map<String, String> config() {
        return Map.of(
                "kafka.bootstrap.servers",
                kafka.getBootstrapServers(),
                "quarkus.datasource.reactive.url",
                "postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/"
                        + LocalStackResource.TEST_DATABASE,
                "quarkus.datasource.username",
                "postgres",
                "quarkus.datasource.password",
                "postgres",
                "quarkus.redis.hosts",
                "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
    }
}
