package io.sluice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Sluice's own settings, all under {@code sluice.*}; Quarkus and Kafka settings keep their own names. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    Topics topics();

    Health health();

    interface Topics {
        /** Where accepted events go; the sink consumes it. */
        @WithDefault("sluice.events")
        String events();

        /** Where records that cannot be stored go, with the error in headers. */
        @WithDefault("sluice.events.dlq")
        String deadLetter();

        /** Raised alerts, read by every replica so any replica can stream them. */
        @WithDefault("sluice.alerts")
        String alerts();
    }

    interface Health {
        /** How long readiness waits for the Kafka cluster to answer before reporting DOWN. */
        @WithDefault("3s")
        Duration kafkaTimeout();
    }
}
