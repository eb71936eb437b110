package io.sluice.pitfalls;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The producer and consumer settings that decide whether an acknowledged event is durable and
 * whether a consumed one is committed only after it is stored, read from the channels'
 * configuration ({@code mp.messaging.*}), exactly what the Kafka clients are given.
 */
final class ClientPitfalls {

    /** The channels that write to Kafka and must not lose what they were told is written. */
    static final List<String> PRODUCERS = List.of("events", "dead-letter", "alerts-out");

    static final String SINK = "events-sink";

    private ClientPitfalls() {}

    static List<Pitfall> check(Config config) {
        List<Pitfall> found = new ArrayList<>();
        for (String channel : PRODUCERS) {
            String prefix = "mp.messaging.outgoing." + channel + ".";
            if (config.getOptionalValue(prefix + "connector", String.class).isEmpty()) {
                continue;
            }
            found.add(acks(channel, setting(config, prefix + "acks")));
            found.add(idempotence(channel, setting(config, prefix + "enable.idempotence")));
            if (channel.equals("events")) {
                found.add(retries(channel, setting(config, prefix + "retries")));
                found.add(deliveryTimeout(channel, setting(config, prefix + "delivery.timeout.ms")));
                found.add(compression(channel, setting(config, prefix + "compression.type")));
            }
        }
        String sink = "mp.messaging.incoming." + SINK + ".";
        if (config.getOptionalValue(sink + "connector", String.class).isPresent()) {
            found.add(autoCommit(setting(config, sink + "enable.auto.commit")));
            found.add(commitStrategy(setting(config, sink + "commit-strategy")));
        }
        return found;
    }

    private static Optional<String> setting(Config config, String name) {
        return config.getOptionalValue(name, String.class).map(String::trim);
    }

    static Pitfall acks(String channel, Optional<String> acks) {
        String check = "producer " + channel + ": acks";
        String value = acks.orElse("(Kafka's default)");
        if (acks.map(v -> v.equals("all") || v.equals("-1")).orElse(false)) {
            return Pitfall.pass(check, value, "every in-sync replica has the record before it counts as written");
        }
        return Pitfall.fail(
                check,
                value,
                "acks must be all, set explicitly: with acks=1 a leader that dies right after answering loses"
                        + " records the client was told are stored");
    }

    static Pitfall idempotence(String channel, Optional<String> idempotence) {
        String check = "producer " + channel + ": enable.idempotence";
        if (idempotence.isEmpty()) {
            return Pitfall.warn(
                    check,
                    "(not set)",
                    "set it explicitly: Kafka turns it off quietly when another setting conflicts, and retries"
                            + " then duplicate or reorder records");
        }
        if (idempotence.get().equalsIgnoreCase("true")) {
            return Pitfall.pass(check, "true", "a retried send is written once, in order");
        }
        return Pitfall.fail(
                check, idempotence.get(), "without idempotence a retried send can be written twice or out of order");
    }

    static Pitfall retries(String channel, Optional<String> retries) {
        String check = "producer " + channel + ": retries";
        String value = retries.orElse("(Kafka's default: unbounded within delivery.timeout.ms)");
        if (retries.map(v -> v.equals("0")).orElse(false)) {
            return Pitfall.fail(check, value, "no retries: a leader change fails sends that a retry would have stored");
        }
        return Pitfall.pass(check, value, "sends are retried until delivery.timeout.ms ends them");
    }

    static Pitfall deliveryTimeout(String channel, Optional<String> timeout) {
        String check = "producer " + channel + ": delivery.timeout.ms";
        if (timeout.isEmpty()) {
            return Pitfall.warn(
                    check,
                    "(Kafka's default: 120000)",
                    "set it to bound how long a send stays undecided; clients wait up to it for an answer");
        }
        return Pitfall.pass(check, timeout.get(), "a send is decided within this, one way or the other");
    }

    static Pitfall compression(String channel, Optional<String> compression) {
        String check = "producer " + channel + ": compression.type";
        String value = compression.orElse("none");
        if (value.equals("none")) {
            return Pitfall.warn(check, value, "uncompressed batches cost network and disk on every replica");
        }
        return Pitfall.pass(check, value, "batches are compressed once, by the producer");
    }

    static Pitfall autoCommit(Optional<String> autoCommit) {
        String check = "consumer " + SINK + ": enable.auto.commit";
        if (autoCommit.map(v -> v.equalsIgnoreCase("false")).orElse(false)) {
            return Pitfall.pass(check, "false", "offsets are committed only after their events are stored");
        }
        return Pitfall.fail(
                check,
                autoCommit.orElse("(the connector's default)"),
                "auto-commit must be false, set explicitly: it commits on a timer, so a crash loses events polled"
                        + " but not yet stored");
    }

    static Pitfall commitStrategy(Optional<String> strategy) {
        String check = "consumer " + SINK + ": commit-strategy";
        String value = strategy.orElse("(the connector's default)");
        if (strategy.map(v -> v.equals("throttled") || v.equals("checkpoint")).orElse(false)) {
            return Pitfall.pass(
                    check, value, "an offset is committed only once every record before it is acknowledged");
        }
        return Pitfall.fail(
                check,
                value,
                "use throttled (or checkpoint): other strategies commit what is not stored yet, or nothing");
    }
}
