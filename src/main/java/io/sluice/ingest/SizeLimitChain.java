package io.sluice.ingest;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.KafkaAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The size limits along the data path must grow from the edge inwards, or an event accepted
 * over HTTP becomes a record Kafka refuses, or one no consumer fetches ("message too large,
 * never consumed"):
 *
 * <pre>
 * HTTP body  ->  largest record it can become  <=  producer max.request.size
 *            <=  topic max.message.bytes  <=  sink consumer max.partition.fetch.bytes, fetch.max.bytes
 * </pre>
 *
 * A record can outgrow its request: binary data is stored base64-encoded (4/3), and the key
 * and headers come on top. Checked at start-up: a broken chain stops Sluice with a message
 * naming each broken link. The topic link needs the cluster; if it does not answer at
 * start-up, that link is reported as unchecked rather than holding the start.
 */
@ApplicationScoped
public class SizeLimitChain {

    private static final Logger LOG = Logger.getLogger(SizeLimitChain.class);

    /** Key and headers of a record, at most: the HTTP header limit bounds them. */
    static final long RECORD_OVERHEAD = 64 * 1024;

    static final String PRODUCER = "mp.messaging.outgoing.events.";
    /** The sink's channel; its link is checked once the channel is configured. */
    static final String CONSUMER = "mp.messaging.incoming.events-sink.";

    private static final long KAFKA_DEFAULT_MAX_REQUEST = 1_048_576;
    private static final long KAFKA_DEFAULT_PARTITION_FETCH = 1_048_576;
    private static final long KAFKA_DEFAULT_FETCH = 52_428_800;

    /** The limits found, in bytes; absent where not known (no consumer yet, topic not reachable). */
    record Limits(
            long httpBody,
            long producerMaxRequest,
            Optional<Long> topicMaxMessage,
            Optional<Long> consumerMaxPartitionFetch,
            Optional<Long> consumerFetchMax) {}

    /** Every broken link of the chain, in words an operator can act on; empty when it holds. */
    static List<String> brokenLinks(Limits limits) {
        List<String> broken = new ArrayList<>();
        long largestRecord = limits.httpBody() * 4 / 3 + RECORD_OVERHEAD;
        if (largestRecord > limits.producerMaxRequest()) {
            broken.add(String.format(
                    "quarkus.http.limits.max-body-size (%d) lets through records of up to %d bytes (base64 data,"
                            + " key and headers), more than the producer's max.request.size (%d)",
                    limits.httpBody(), largestRecord, limits.producerMaxRequest()));
        }
        limits.topicMaxMessage().ifPresent(topic -> {
            if (limits.producerMaxRequest() > topic) {
                broken.add(String.format(
                        "the producer's max.request.size (%d) exceeds the topic's max.message.bytes (%d)",
                        limits.producerMaxRequest(), topic));
            }
        });
        long stored = limits.topicMaxMessage().orElse(limits.producerMaxRequest());
        limits.consumerMaxPartitionFetch().ifPresent(fetch -> {
            if (stored > fetch) {
                broken.add(String.format(
                        "records of up to %d bytes exceed the sink consumer's max.partition.fetch.bytes (%d)",
                        stored, fetch));
            }
        });
        limits.consumerFetchMax().ifPresent(fetch -> {
            if (stored > fetch) {
                broken.add(String.format(
                        "records of up to %d bytes exceed the sink consumer's fetch.max.bytes (%d)", stored, fetch));
            }
        });
        return broken;
    }

    private final Config config;
    private final KafkaAdmin admin;
    private final String topic;

    SizeLimitChain(Config config, KafkaAdmin admin, SluiceConfig sluice) {
        this.config = config;
        this.admin = admin;
        this.topic = sluice.topics().events();
    }

    void verifyAtStartup(@Observes StartupEvent start) {
        Limits limits = read();
        List<String> broken = brokenLinks(limits);
        if (!broken.isEmpty()) {
            throw new IllegalStateException(
                    "The size-limit chain is broken, Sluice would accept events it cannot deliver: "
                            + String.join("; ", broken));
        }
        LOG.infof(
                "size-limit chain holds: HTTP body %d <= record %d <= topic %s <= consumer %s",
                limits.httpBody(),
                limits.producerMaxRequest(),
                limits.topicMaxMessage().map(String::valueOf).orElse("(not reachable, unchecked)"),
                limits.consumerMaxPartitionFetch().map(String::valueOf).orElse("(no sink channel, unchecked)"));
    }

    /** The chain's broken links now, in words; empty when it holds. */
    public List<String> brokenLinks() {
        return brokenLinks(read());
    }

    Limits read() {
        long body = config.getValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .asLongValue();
        long maxRequest = config.getOptionalValue(PRODUCER + "max.request.size", Long.class)
                .orElse(KAFKA_DEFAULT_MAX_REQUEST);
        boolean sinkConfigured =
                config.getOptionalValue(CONSUMER + "connector", String.class).isPresent();
        Optional<Long> partitionFetch = sinkConfigured
                ? Optional.of(config.getOptionalValue(CONSUMER + "max.partition.fetch.bytes", Long.class)
                        .orElse(KAFKA_DEFAULT_PARTITION_FETCH))
                : Optional.empty();
        Optional<Long> fetch = sinkConfigured
                ? Optional.of(config.getOptionalValue(CONSUMER + "fetch.max.bytes", Long.class)
                        .orElse(KAFKA_DEFAULT_FETCH))
                : Optional.empty();
        return new Limits(body, maxRequest, topicMaxMessageBytes(), partitionFetch, fetch);
    }

    private Optional<Long> topicMaxMessageBytes() {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            String value = admin.client()
                    .describeConfigs(List.of(resource))
                    .all()
                    .get(5, TimeUnit.SECONDS)
                    .get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                    .value();
            return Optional.of(Long.parseLong(value));
        } catch (Exception e) {
            LOG.warnf("could not read max.message.bytes of topic %s at start-up; that link is unchecked", topic);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }
    }
}
