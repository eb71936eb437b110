package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU cost of each step the sink's {@code RecordDecoder} takes per record, on the benchmark's
 * own events, one thread, after a warm-up: what a change to decoding could save, per event.
 * The steps are re-enacted with the same public calls (the decoder itself is package-private;
 * {@code CloudEventRules} is called through a method handle, the application's classes being on
 * the class path at run time only), so the sum is close to, not exactly, the decoder's cost.
 *
 * <pre>SinkDecodeCost [--events 200000 --rounds 5 --record-bytes 512 --result FILE]</pre>
 */
public final class SinkDecodeCost {

    private static final Set<String> COLUMNS =
            Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data", "data_base64");

    private SinkDecodeCost() {}

    public static void main(String[] argv) throws Throwable {
        SinkOptions options = SinkOptions.parse(argv);
        // Sluice's own rules, looked up at run time: the bench package compiles against the test
        // class path alone (scripts/bench-ingest compiles it so), which has no application classes.
        Class<?> rules = Class.forName("io.sluice.event.CloudEventRules");
        MethodHandle check = MethodHandles.publicLookup()
                .findStatic(rules, "check", MethodType.methodType(java.util.List.class, int.class, JsonNode.class));
        // The sink's own reader of the header: package-private, so a private lookup (one unnamed module).
        MethodHandle acceptedAtParse = MethodHandles.privateLookupIn(
                        Class.forName("io.sluice.sink.AcceptedAt"), MethodHandles.lookup())
                .findStatic(
                        Class.forName("io.sluice.sink.AcceptedAt"),
                        "parse",
                        MethodType.methodType(Instant.class, String.class));
        MethodHandle parseTime = MethodHandles.publicLookup()
                .findStatic(rules, "parseTime", MethodType.methodType(OffsetDateTime.class, String.class));
        int events = options.getInt("events", 200_000);
        int rounds = options.getInt("rounds", 5);
        ObjectMapper json = new ObjectMapper();
        SinkEvents generator = new SinkEvents("decode00", "decode", 1000, options.getInt("record-bytes", 512), 42);
        byte[][] values = new byte[events][];
        String[] acceptedAt = new String[events];
        for (int i = 0; i < events; i++) {
            values[i] = generator.next().getBytes(StandardCharsets.US_ASCII);
            acceptedAt[i] = Instant.now().plusNanos(i * 1000L).toString();
        }
        Map<String, Long> nanos = new LinkedHashMap<>();
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            boolean measured = round > 0; // the first round warms the JIT up
            long t0;
            long t1;
            for (int i = 0; i < events; i++) {
                t0 = System.nanoTime();
                Instant accepted = (Instant) acceptedAtParse.invoke(acceptedAt[i]);
                t1 = System.nanoTime();
                add(nanos, measured, "AcceptedAt.parse of the sluice-accepted-at header", t1 - t0);

                JsonNode event = json.readTree(values[i]);
                t0 = System.nanoTime();
                add(nanos, measured, "Jackson readTree of the record value", t0 - t1);

                int violations = ((java.util.List<?>) check.invoke(0, event)).size();
                t1 = System.nanoTime();
                add(nanos, measured, "CloudEventRules.check (the ingest rules, again)", t1 - t0);

                OffsetDateTime time =
                        (OffsetDateTime) parseTime.invoke(event.get("time").asText());
                t0 = System.nanoTime();
                add(nanos, measured, "CloudEventRules.parseTime of the event's time", t0 - t1);

                ObjectNode attributes = json.createObjectNode();
                event.fields().forEachRemaining(field -> {
                    if (!COLUMNS.contains(field.getKey()) && !field.getValue().isNull()) {
                        attributes.set(field.getKey(), field.getValue());
                    }
                });
                String data = json.writeValueAsString(event.get("data"));
                String rest = json.writeValueAsString(attributes);
                t1 = System.nanoTime();
                add(nanos, measured, "re-serialising data and the other attributes to JSON text", t1 - t0);
                sink += violations + data.length() + rest.length() + accepted.getNano() + time.getNano();
            }
        }
        long measuredEvents = (long) events * (rounds - 1);
        double total = nanos.values().stream().mapToLong(Long::longValue).sum() / (double) measuredEvents / 1000;
        Map<String, String> out = new LinkedHashMap<>();
        System.out.printf(
                Locale.ROOT,
                "decode steps, %,d events x %d rounds after a warm-up round, one thread (checksum %d):%n",
                events,
                rounds - 1,
                sink % 10);
        int step = 0;
        for (var entry : nanos.entrySet()) {
            double us = entry.getValue() / (double) measuredEvents / 1000;
            System.out.printf(Locale.ROOT, "  %6.2f us  %4.1f %%  %s%n", us, 100 * us / total, entry.getKey());
            out.put("decode.step" + (++step), String.format(Locale.ROOT, "%.2f us %s", us, entry.getKey()));
        }
        System.out.printf(Locale.ROOT, "  %6.2f us  in all, per event%n", total);
        out.put("decode.total_us", SinkBenchmark.fmt(total));
        options.record(out);
        System.exit(0);
    }

    private static void add(Map<String, Long> nanos, boolean measured, String step, long elapsed) {
        if (measured) {
            nanos.merge(step, elapsed, Long::sum);
        } else {
            nanos.putIfAbsent(step, 0L);
        }
    }
}
