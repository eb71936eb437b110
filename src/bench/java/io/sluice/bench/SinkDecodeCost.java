package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * CPU cost per record of the sink's own {@code RecordDecoder}, on the benchmark's events, one
 * thread, after a warm-up round: the short way it takes (the attributes as a tree, {@code data}
 * kept as its bytes) beside the whole tree it took before 2026-12-06, which it still takes for
 * values with escapes or bytes that are not strict UTF-8. The decoder is package-private and
 * the application's classes are on the class path at run time only, so it is reached through
 * method handles.
 *
 * <pre>SinkDecodeCost [--events 200000 --rounds 5 --record-bytes 512 --result FILE]</pre>
 */
public final class SinkDecodeCost {

    private SinkDecodeCost() {}

    public static void main(String[] argv) throws Throwable {
        SinkOptions options = SinkOptions.parse(argv);
        Class<?> decoderClass = Class.forName("io.sluice.sink.RecordDecoder");
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(decoderClass, MethodHandles.lookup());
        MethodHandle create = lookup.findConstructor(
                decoderClass, MethodType.methodType(void.class, ObjectMapper.class, boolean.class));
        MethodHandle decode = lookup.findVirtual(
                decoderClass,
                "decode",
                MethodType.methodType(Class.forName("io.sluice.sink.RecordDecoder$Decoded"), ConsumerRecord.class));
        Map<String, Object> decoders = new LinkedHashMap<>();
        decoders.put(
                "the decoder, the short way (attributes as a tree, data kept as bytes)",
                create.invoke(new ObjectMapper(), true));
        decoders.put(
                "the decoder, the whole tree (the way before 2026-12-06)", create.invoke(new ObjectMapper(), false));

        int events = options.getInt("events", 200_000);
        int rounds = options.getInt("rounds", 5);
        SinkEvents generator = new SinkEvents("decode00", "decode", 1000, options.getInt("record-bytes", 512), 42);
        ConsumerRecord<?, ?>[] records = new ConsumerRecord<?, ?>[events];
        for (int i = 0; i < events; i++) {
            ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(
                    "events", i % 6, i, "device", generator.next().getBytes(StandardCharsets.US_ASCII));
            // The headers ingest sets, as the decoder reads them.
            record.headers().add("sluice-tenant", "bench".getBytes(StandardCharsets.UTF_8));
            record.headers()
                    .add(
                            "sluice-accepted-at",
                            Instant.now().plusNanos(i * 1000L).toString().getBytes(StandardCharsets.UTF_8));
            records[i] = record;
        }
        Map<String, Long> nanos = new LinkedHashMap<>();
        long checksum = 0;
        for (var decoder : decoders.entrySet()) {
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                for (ConsumerRecord<?, ?> record : records) {
                    checksum += decode.invoke(decoder.getValue(), record) != null ? 1 : 0;
                }
                if (round > 0) { // the first round warms the JIT up
                    nanos.merge(decoder.getKey(), System.nanoTime() - start, Long::sum);
                }
            }
        }
        long measuredEvents = (long) events * (rounds - 1);
        Map<String, String> out = new LinkedHashMap<>();
        System.out.printf(
                Locale.ROOT,
                "the sink's decoder, %,d records x %d rounds after a warm-up round, one thread (checksum %d):%n",
                events,
                rounds - 1,
                checksum % 10);
        int step = 0;
        for (var entry : nanos.entrySet()) {
            double us = entry.getValue() / (double) measuredEvents / 1000;
            System.out.printf(Locale.ROOT, "  %6.2f us per record  %s%n", us, entry.getKey());
            out.put("decode.step" + (++step), String.format(Locale.ROOT, "%.2f us %s", us, entry.getKey()));
            if (step == 1) {
                out.put("decode.total_us", SinkBenchmark.fmt(us));
            }
        }
        options.record(out);
        System.exit(0);
    }
}
