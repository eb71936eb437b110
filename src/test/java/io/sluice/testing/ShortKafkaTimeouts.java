package io.sluice.testing;

import java.util.Map;

/** Producer and answer timeouts short enough that tests of broker failures end in seconds. */
public final class ShortKafkaTimeouts {

    /** The longest a client may wait for any answer under these settings, with margin. */
    public static final java.time.Duration ANSWER_BOUND = java.time.Duration.ofSeconds(12);

    private ShortKafkaTimeouts() {}

    public static Map<String, String> config() {
        return Map.of(
                "mp.messaging.outgoing.events.delivery.timeout.ms", "6000",
                "mp.messaging.outgoing.events.request.timeout.ms", "2000",
                "mp.messaging.outgoing.events.max.block.ms", "1000",
                "sluice.ingest.ack-timeout", "8s",
                "sluice.health.kafka-timeout", "2s");
    }
}
