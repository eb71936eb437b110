package io.sluice.pitfalls;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic settings that decide whether an acknowledged record survives a broker's loss,
 * read from the cluster through the Admin API: replication factor, {@code min.insync.replicas}
 * and unclean leader election. On a cluster of fewer than three brokers, what cannot be had is
 * a warning, not a failure (a local stack of one broker is allowed to run).
 */
final class TopicPitfalls {

    private TopicPitfalls() {}

    static Uni<List<Pitfall>> check(Admin admin, Collection<String> topics) {
        Uni<Integer> brokers = Uni.createFrom()
                .completionStage(admin.describeCluster().nodes().toCompletionStage())
                .map(Collection::size);
        Uni<Map<String, TopicDescription>> descriptions = Uni.createFrom()
                .completionStage(admin.describeTopics(topics).allTopicNames().toCompletionStage());
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .toList();
        Uni<Map<ConfigResource, Config>> configs = Uni.createFrom()
                .completionStage(admin.describeConfigs(resources).all().toCompletionStage());
        return Uni.combine().all().unis(brokers, descriptions, configs).with((count, described, settings) -> {
            List<Pitfall> found = new ArrayList<>();
            for (String topic : topics) {
                TopicDescription description = described.get(topic);
                Config config = settings.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
                int replication = description.partitions().stream()
                        .mapToInt(partition -> partition.replicas().size())
                        .min()
                        .orElse(0);
                found.add(replicationFactor(topic, replication, count));
                found.add(minInsyncReplicas(
                        topic, intValue(config, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), replication, count));
                found.add(uncleanElection(topic, value(config, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG)));
            }
            return found;
        });
    }

    static Pitfall replicationFactor(String topic, int replication, int brokers) {
        String check = "topic " + topic + ": replication factor";
        String found = replication + " (" + brokers + " brokers)";
        if (replication >= 3) {
            return Pitfall.pass(check, found, "two brokers can be lost without losing a record");
        }
        if (brokers < 3 && replication >= brokers) {
            return Pitfall.warn(check, found, "the cluster has fewer than 3 brokers: fine for development only");
        }
        return Pitfall.fail(
                check,
                found,
                "below 3, losing " + replication + " broker(s) loses acknowledged records; recreate the topic with 3");
    }

    static Pitfall minInsyncReplicas(String topic, int minIsr, int replication, int brokers) {
        String check = "topic " + topic + ": min.insync.replicas";
        String found = Integer.toString(minIsr);
        if (minIsr >= 2 && minIsr < replication) {
            return Pitfall.pass(
                    check, found, "acks=all means at least " + minIsr + " copies, and one broker may be down");
        }
        if (minIsr >= 2) {
            return Pitfall.warn(
                    check, found, "as high as the replication factor: a single broker down stops every write");
        }
        if (brokers < 2) {
            return Pitfall.warn(check, found, "a one-broker cluster: fine for development only");
        }
        return Pitfall.fail(
                check, found, "with 1, acks=all is satisfied by the leader alone, whose loss loses the record; set 2");
    }

    static Pitfall uncleanElection(String topic, String enabled) {
        String check = "topic " + topic + ": unclean.leader.election.enable";
        if ("false".equalsIgnoreCase(enabled)) {
            return Pitfall.pass(check, "false", "only an in-sync replica becomes leader");
        }
        return Pitfall.fail(check, enabled, "an out-of-sync replica may become leader and drop acknowledged records");
    }

    private static String value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null ? "(unknown)" : entry.value();
    }

    private static int intValue(Config config, String name) {
        try {
            return Integer.parseInt(value(config, name));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
