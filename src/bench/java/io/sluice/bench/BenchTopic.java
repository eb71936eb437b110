package io.sluice.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The benchmark's topics: fresh copies of {@code sluice.events}'s shape on the same broker —
 * partition count, replication factor and every topic-level setting — one that the Sluice
 * under test writes to and one for ProducerPerformance. Both take the same broker path as
 * {@code sluice.events} without leaving millions of benchmark records (or ProducerPerformance's
 * non-CloudEvents) in the topic that the sink and the tests consume; both are deleted after.
 *
 * <pre>
 * BenchTopic create --kafka B --like sluice.events --topic sluice.bench.baseline
 * BenchTopic delete --kafka B --topic sluice.bench.baseline
 * </pre>
 */
public final class BenchTopic {

    private BenchTopic() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.require("kafka"));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        String topic = args.require("topic");
        try (Admin admin = Admin.create(props)) {
            switch (args.positional(0, "")) {
                case "create" -> create(admin, args.get("like", "sluice.events"), topic);
                case "delete" -> delete(admin, topic);
                default -> throw new IllegalArgumentException("create or delete");
            }
        }
    }

    private static void create(Admin admin, String like, String topic) throws Exception {
        TopicDescription model =
                admin.describeTopics(List.of(like)).allTopicNames().get().get(like);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, like);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        Map<String, String> overrides = new TreeMap<>();
        for (ConfigEntry entry : config.entries()) {
            if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                overrides.put(entry.name(), entry.value());
            }
        }
        int partitions = model.partitions().size();
        short replicas = (short) model.partitions().get(0).replicas().size();
        delete(admin, topic);
        NewTopic newTopic = new NewTopic(topic, partitions, replicas).configs(overrides);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                admin.createTopics(List.of(newTopic)).all().get();
                break;
            } catch (ExecutionException e) {
                // A topic being deleted still exists for a moment.
                if (!(e.getCause() instanceof TopicExistsException)
                        || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
        System.out.printf(
                "created %s like %s: %d partitions, replication factor %d, %s%n",
                topic, like, partitions, replicas, overrides);
    }

    private static void delete(Admin admin, String topic) throws Exception {
        try {
            admin.deleteTopics(Set.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
        }
    }
}
