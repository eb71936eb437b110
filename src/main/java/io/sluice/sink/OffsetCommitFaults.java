package io.sluice.sink;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Lets the fault injector halt right after Kafka confirmed an offset commit, a step the
 * connector performs on its own. Installed only by the crash tests, through the sink
 * channel's {@code interceptor.classes}.
 */
@RegisterForReflection
public class OffsetCommitFaults implements ConsumerInterceptor<Object, Object> {

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        FaultInjector.current().reached(ProtocolSteps.Step.AFTER_OFFSET_COMMIT);
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
