package io.sluice.sink;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Checks the sink's one rule about offsets: a committed offset never runs ahead of the rows.
 * From {@link #start} on, every record of the topic is a distinct event of {@code source};
 * then for each partition, the rows of {@code source} below the committed offset must number
 * exactly the records below it. Offsets are read first and rows second, so a row that was
 * there when its offset was committed is always counted.
 */
final class CommitAudit {

    private final Admin admin;
    private final String group;
    private final String topic;
    private final String source;
    private final Map<TopicPartition, Long> start;

    private CommitAudit(Admin admin, String group, String topic, String source, Map<TopicPartition, Long> start) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.source = source;
        this.start = start;
    }

    /** Starts auditing at the topic's current end: everything after it must come from {@code source}. */
    static CommitAudit start(Admin admin, String group, String topic, int partitions, String source) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> start = new HashMap<>();
        admin.listOffsets(latest)
                .all()
                .get(10, TimeUnit.SECONDS)
                .forEach((partition, info) -> start.put(partition, info.offset()));
        return new CommitAudit(admin, group, topic, source, start);
    }

    /** The group's committed offsets on the audited topic. */
    Map<TopicPartition, Long> committed() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> plain = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (partition.topic().equals(topic) && offset != null) {
                plain.put(partition, offset.offset());
            }
        });
        return plain;
    }

    /**
     * Reads the committed offsets, then the rows, and describes every partition whose
     * committed offset covers records that have no row; empty when the rule holds. Throws
     * {@link SQLException} when the database cannot be asked.
     */
    List<String> violations() throws Exception {
        Map<TopicPartition, Long> committed = committed();
        try (Connection connection = SinkFixture.database();
                var statement = connection.prepareStatement("SELECT count(*) FROM events"
                        + " WHERE source = ? AND kafka_partition = ? AND kafka_offset >= ? AND kafka_offset < ?")) {
            List<String> violations = new java.util.ArrayList<>();
            for (Map.Entry<TopicPartition, Long> entry : start.entrySet()) {
                long from = entry.getValue();
                long upTo = committed.getOrDefault(entry.getKey(), 0L);
                if (upTo <= from) {
                    continue;
                }
                statement.setString(1, source);
                statement.setInt(2, entry.getKey().partition());
                statement.setLong(3, from);
                statement.setLong(4, upTo);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    long rows = result.getLong(1);
                    if (rows != upTo - from) {
                        violations.add(entry.getKey() + ": committed " + upTo + ", records from " + from + ": "
                                + (upTo - from) + ", rows " + rows);
                    }
                }
            }
            return violations;
        }
    }
}
