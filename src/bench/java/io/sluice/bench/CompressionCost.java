package io.sluice.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * What the producer's compression costs per batch and per record on the ingest benchmark's own
 * events (512 bytes, the three headers Sluice writes), for the batch sizes Sluice's keyed
 * records make: one thread, Kafka's own batch builder, each codec as the producer runs it.
 * Sluice's batches are small (keyed records over six partitions, {@code linger.ms=1}), so a
 * codec's fixed cost per batch counts where ProducerPerformance, whose sticky partitioner fills
 * one batch at a time, hardly sees it.
 *
 * <pre>CompressionCost [--rounds 3]</pre>
 *
 * Run after {@code scripts/bench-ingest} has written the test class path:
 * {@code java -cp target/test-classes:$(cat target/bench/test.classpath) io.sluice.bench.CompressionCost}
 */
public final class CompressionCost {

    private static final int RECORDS_PER_ROUND = 50_000;
    private static final int[] BATCH_SIZES = {1, 2, 5, 20, 100};

    private CompressionCost() {}

    public static void main(String[] argv) {
        int rounds = argv.length == 2 && argv[0].equals("--rounds") ? Integer.parseInt(argv[1]) : 3;
        // JNI lz4, as Sluice loads it (io.sluice.kafka.Lz4Native).
        net.jpountz.lz4.LZ4Factory.nativeInstance();
        Map<String, Compression> codecs = new LinkedHashMap<>();
        codecs.put("lz4", Compression.lz4().build());
        codecs.put("snappy", Compression.snappy().build());
        codecs.put("zstd level 1", Compression.zstd().level(1).build());
        codecs.put("zstd level 3", Compression.zstd().build());
        codecs.put("none", Compression.NONE);
        byte[][] values = events(1_000);
        Header[] headers = {
            new RecordHeader("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("sluice-tenant", "bench".getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("sluice-accepted-at", Instant.now().toString().getBytes(StandardCharsets.UTF_8))
        };
        System.out.printf(
                Locale.ROOT,
                "%-8s %-13s %12s %12s %14s%n",
                "records",
                "codec",
                "ns/batch",
                "ns/record",
                "bytes/record");
        for (int records : BATCH_SIZES) {
            for (Map.Entry<String, Compression> codec : codecs.entrySet()) {
                double[] cost = null;
                for (int round = 0; round < rounds; round++) {
                    cost = run(codec.getValue(), records, values, headers);
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-8d %-13s %,12.0f %,12.0f %,14.0f%n",
                        records,
                        codec.getKey(),
                        cost[0] * records,
                        cost[0],
                        cost[1]);
            }
        }
    }

    /** Nanoseconds and bytes per record of one round: the last round's figures are printed. */
    private static double[] run(Compression codec, int records, byte[][] values, Header[] headers) {
        int batches = RECORDS_PER_ROUND / records;
        long bytes = 0;
        int next = 0;
        long started = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            MemoryRecordsBuilder builder = MemoryRecords.builder(
                    ByteBuffer.allocate(records * 700 + 1024),
                    RecordBatch.CURRENT_MAGIC_VALUE,
                    codec,
                    TimestampType.CREATE_TIME,
                    0L);
            for (int r = 0; r < records; r++) {
                byte[] value = values[next++ % values.length];
                builder.append(new SimpleRecord(0L, key(next), value, headers));
            }
            bytes += builder.build().sizeInBytes();
        }
        double nanos = System.nanoTime() - started;
        return new double[] {nanos / (batches * (double) records), bytes / (batches * (double) records)};
    }

    private static byte[] key(int n) {
        return ("device-" + String.format(Locale.ROOT, "%04d", n % 1000)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The ingest benchmark's events, 512 bytes each. */
    private static byte[][] events(int count) {
        int base = new EventFactory(0, 1000, 1).single().length;
        EventFactory factory = new EventFactory(Math.max(0, 512 - base), 1000, 42);
        byte[][] events = new byte[count][];
        for (int i = 0; i < count; i++) {
            events[i] = factory.single();
        }
        return events;
    }
}
