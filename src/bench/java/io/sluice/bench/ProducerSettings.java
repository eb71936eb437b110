package io.sluice.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka producer settings of Sluice's {@code events} channel, as ProducerPerformance's
 * {@code --producer-props}: read from application.properties ({@code kafka.*} defaults, then
 * {@code mp.messaging.outgoing.events.*}, each with its {@code %prod.} variant), then from
 * environment variables and {@code -D} overrides, in Quarkus's order of precedence. Only keys
 * the Kafka producer knows are kept, minus those that name the cluster or the serialisers.
 *
 * <pre>ProducerSettings application.properties [--override key=value ...] [--channel events]</pre>
 */
public final class ProducerSettings {

    // Set per tool: the benchmark names the broker; ProducerPerformance sends byte arrays.
    private static final Set<String> NOT_COPIED = Set.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.CLIENT_ID_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);

    private ProducerSettings() {}

    public static void main(String[] argv) throws IOException {
        Args args = Args.parse(argv);
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args.positional(0, "")), StandardCharsets.UTF_8)) {
            file.load(in);
        }
        Map<String, String> overrides = new TreeMap<>();
        for (String o : args.all("override")) {
            String[] kv = o.split("=", 2);
            overrides.put(kv[0], kv[1]);
        }
        resolve(file, System.getenv(), overrides, args.get("channel", "events"))
                .forEach((k, v) -> System.out.println(k + "=" + v));
    }

    static Map<String, String> resolve(
            Properties file, Map<String, String> env, Map<String, String> overrides, String channel) {
        Map<String, String> out = new TreeMap<>();
        String channelPrefix = "mp.messaging.outgoing." + channel + ".";
        for (String name : ProducerConfig.configNames()) {
            if (NOT_COPIED.contains(name)) {
                continue;
            }
            String value = null;
            // Lowest precedence first; later sources win.
            for (String key : new String[] {"kafka." + name, channelPrefix + name}) {
                value = pick(value, file.getProperty(key));
                value = pick(value, file.getProperty("%prod." + key));
            }
            for (String key : new String[] {"kafka." + name, channelPrefix + name}) {
                value = pick(value, env.get(envName(key)));
                value = pick(value, env.get(envName("%prod." + key)));
                value = pick(value, overrides.get(key));
            }
            if (value != null) {
                out.put(name, value.trim());
            }
        }
        return out;
    }

    private static String pick(String current, String candidate) {
        return candidate == null ? current : candidate;
    }

    /** SmallRye Config's rule: non-alphanumerics become '_', all upper case ('%' too: "_PROD_..."). */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
