/*
 * The local stack's admin helper, run by scripts/stack with Java's source launcher
 * (`java -cp <kafka class path> StackAdmin.java <command> ...`): it speaks to the cluster
 * through Kafka's own Admin API instead of parsing tool output.
 *
 *   wait-brokers <bootstrap> <count> <seconds>       until <count> brokers are registered
 *   create-topics <bootstrap> <rf> <min-isr> <partitions> <max-message-bytes> <topic>...
 *                                                    create missing topics (existing ones are kept)
 *   describe <bootstrap>                             brokers, controller, and every topic's partitions
 *   ensure-database <jdbc-url> <name>...             CREATE DATABASE for each missing name
 */
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

public class StackAdmin {

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StackAdmin wait-brokers|create-topics|describe|ensure-database ...");
            System.exit(2);
        }
        switch (args[0]) {
            case "wait-brokers" -> waitBrokers(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "create-topics" -> createTopics(args);
            case "describe" -> describe(args[1]);
            case "ensure-database" -> ensureDatabases(args[1], List.of(args).subList(2, args.length));
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.exit(2);
            }
        }
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(props);
    }

    private static void waitBrokers(String bootstrap, int count, int seconds) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(seconds);
        String last = "no answer";
        try (Admin admin = admin(bootstrap)) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    int registered = admin.describeCluster().nodes().get().size();
                    if (registered >= count) {
                        System.out.println("cluster answers: " + registered + " broker(s) at " + bootstrap);
                        return;
                    }
                    last = registered + " of " + count + " brokers registered";
                } catch (ExecutionException e) {
                    last = e.getCause().getMessage();
                }
                Thread.sleep(500);
            }
        }
        System.err.println("cluster at " + bootstrap + " not ready after " + seconds + " s: " + last);
        System.exit(1);
    }

    private static void createTopics(String[] args) throws Exception {
        String bootstrap = args[1];
        short replicationFactor = Short.parseShort(args[2]);
        String minInsyncReplicas = args[3];
        int partitions = Integer.parseInt(args[4]);
        String maxMessageBytes = args[5];
        Map<String, String> configs = Map.of(
                "min.insync.replicas", minInsyncReplicas,
                // A replica that missed writes must never become leader: it would drop acknowledged events.
                "unclean.leader.election.enable", "false",
                "max.message.bytes", maxMessageBytes);
        try (Admin admin = admin(bootstrap)) {
            for (int i = 6; i < args.length; i++) {
                NewTopic topic = new NewTopic(args[i], partitions, replicationFactor).configs(configs);
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    System.out.printf(
                            "created topic %s (partitions %d, replication factor %d, min.insync.replicas %s)%n",
                            args[i], partitions, replicationFactor, minInsyncReplicas);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    private static void describe(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            var cluster = admin.describeCluster();
            System.out.println("brokers: " + cluster.nodes().get().stream()
                    .map(n -> n.id() + "@" + n.host() + ":" + n.port())
                    .toList());
            System.out.println("active controller: " + cluster.controller().get().id());
            var names = new TreeSet<>(admin.listTopics().names().get());
            Map<String, TopicDescription> topics =
                    admin.describeTopics(names).allTopicNames().get();
            for (String name : names) {
                List<String> partitions = new ArrayList<>();
                topics.get(name).partitions().forEach(p -> partitions.add(String.format(
                        "%d: leader %s isr %s",
                        p.partition(),
                        p.leader() == null ? "none" : p.leader().id(),
                        p.isr().stream().map(n -> n.id()).toList())));
                System.out.println("topic " + name + "  " + String.join("  |  ", partitions));
            }
        }
    }

    private static void ensureDatabases(String jdbcUrl, List<String> names) throws Exception {
        try (var connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            for (String name : names) {
                if (!name.matches("[a-z_][a-z0-9_]*")) {
                    throw new IllegalArgumentException("not a plain database name: " + name);
                }
                try (var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                    exists.setString(1, name);
                    if (exists.executeQuery().next()) {
                        continue;
                    }
                }
                try (var create = connection.createStatement()) {
                    create.execute("CREATE DATABASE " + name);
                    System.out.println("created database " + name);
                }
            }
        }
    }
}
