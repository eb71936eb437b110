package io.sluice.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the sink's CPU went, from a JFR recording of the Sluice JVM: execution samples by
 * the method on top of the stack, by thread, and by what the stack passes through (the
 * PostgreSQL client, the Redis client, JSON, Kafka's consumer, the sink's own code).
 *
 * <pre>SinkProfile recording.jfr [--top 25] [--since ISO-instant] [--until ISO-instant]
 *             [--stacks text] [--children text]</pre>
 *
 * With {@code --since}/{@code --until}, only samples in that window (e.g. from the sink's first
 * row, leaving start-up out). With {@code --stacks}, the most frequent 12-frame stacks of
 * samples with a frame containing {@code text}; with {@code --children}, the samples under the
 * outermost frame containing {@code text}, by the method that frame called.
 */
public final class SinkProfile {

    /** Stack categories: a sample counts for each category one of its frames falls in. */
    private static final List<Map.Entry<String, List<String>>> CATEGORIES = List.of(
            Map.entry("sluice sink (io.sluice.sink)", List.of("io.sluice.sink.")),
            Map.entry("RecordDecoder (JSON parse, CloudEvent check, re-serialise)", List.of("RecordDecoder")),
            Map.entry("EventWriter (building the arrays)", List.of("io.sluice.sink.EventWriter.")),
            Map.entry(
                    "PostgreSQL client (io.vertx.pgclient, sqlclient)",
                    List.of("io.vertx.pgclient.", "io.vertx.sqlclient.")),
            Map.entry("Redis client (io.vertx.redis)", List.of("io.vertx.redis.")),
            Map.entry("Jackson", List.of("com.fasterxml.jackson.")),
            Map.entry("Kafka consumer (org.apache.kafka)", List.of("org.apache.kafka.")),
            Map.entry("lz4", List.of("net.jpountz.")),
            Map.entry("SmallRye messaging", List.of("io.smallrye.reactive.messaging.")),
            Map.entry("Mutiny", List.of("io.smallrye.mutiny.")),
            Map.entry("Netty (I/O)", List.of("io.netty.")),
            Map.entry("Micrometer", List.of("io.micrometer.")),
            Map.entry("HTTP ingest (io.sluice.ingest)", List.of("io.sluice.ingest.")));

    /**
     * What a sample was doing, exclusively: the first operation (in this order) found anywhere
     * in its stack. The sink's steps come first, then the clients and frameworks under them.
     */
    private static final List<Map.Entry<String, List<String>>> OPERATIONS = List.of(
            Map.entry(
                    "sink: decode records (Jackson parse, CloudEvent rules, time parsing, re-serialise)",
                    List.of("io.sluice.sink.RecordDecoder.")),
            Map.entry("sink: build the INSERT's arrays (EventWriter)", List.of("io.sluice.sink.EventWriter.")),
            Map.entry("PostgreSQL client (encode, decode, I/O)", List.of("io.vertx.pgclient.", "io.vertx.sqlclient.")),
            Map.entry(
                    "Redis client and dedup requests (encode, decode, I/O)",
                    List.of("io.vertx.redis.", "io.sluice.dedup.")),
            Map.entry("sink: other (SinkService, dead letters)", List.of("io.sluice.sink.")),
            Map.entry(
                    "HTTP ingest (io.sluice.ingest, io.sluice.event)",
                    List.of("io.sluice.ingest.", "io.sluice.event.")),
            Map.entry("Kafka producer", List.of("org.apache.kafka.clients.producer.")),
            Map.entry("Kafka consumer (fetch, lz4, records, headers)", List.of("org.apache.kafka.", "net.jpountz.")),
            Map.entry(
                    "SmallRye messaging (batch messages, acks, commit strategy)",
                    List.of("io.smallrye.reactive.messaging.")),
            Map.entry(
                    "HTTP server (RESTEasy Reactive, Vert.x web)",
                    List.of("org.jboss.resteasy.reactive.", "io.quarkus.resteasy.reactive.", "io.vertx.ext.web.")),
            Map.entry("Mutiny / context propagation", List.of("io.smallrye.mutiny.", "io.smallrye.context.")),
            Map.entry("Netty / Vert.x core (I/O, event loop)", List.of("io.netty.", "io.vertx.core.")),
            Map.entry("Micrometer", List.of("io.micrometer.")),
            Map.entry("JIT compiler / JVM / JFR", List.of("jdk.jfr.", "jdk.internal.")));

    private SinkProfile() {}

    public static void main(String[] argv) throws Exception {
        SinkOptions options = SinkOptions.parse(argv);
        Path file = Path.of(options.positional(0));
        int top = options.getInt("top", 25);
        String stacksOf = options.get("stacks", null);
        String childrenOf = options.get("children", null);
        java.time.Instant since =
                options.has("since") ? java.time.Instant.parse(options.get("since", null)) : java.time.Instant.MIN;
        java.time.Instant until =
                options.has("until") ? java.time.Instant.parse(options.get("until", null)) : java.time.Instant.MAX;
        Map<String, Long> byOperation = new HashMap<>();
        Map<String, Long> children = new HashMap<>();
        Map<String, Long> byMethod = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byCategory = new HashMap<>();
        Map<String, Long> stacks = new HashMap<>();
        long samples = 0;
        long gcs = 0;
        long gcPauseNanos = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.GarbageCollection")) {
                    gcs++;
                    gcPauseNanos += event.getDuration("sumOfPauses").toNanos();
                    continue;
                }
                if (!type.equals("jdk.ExecutionSample")
                        || event.getStartTime().isBefore(since)
                        || event.getStartTime().isAfter(until)) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                byMethod.merge(name(frames.get(0)), 1L, Long::sum);
                var thread = event.getThread("sampledThread");
                String threadName = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
                byThread.merge(threadName.replaceAll("[0-9]+", "N"), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame frame : frames) {
                    String frameName = name(frame);
                    for (var category : CATEGORIES) {
                        for (String marker : category.getValue()) {
                            if (frameName.startsWith(marker) || frameName.contains("." + marker)) {
                                seen.add(category.getKey());
                            }
                        }
                    }
                }
                seen.forEach(c -> byCategory.merge(c, 1L, Long::sum));
                byOperation.merge(operation(frames), 1L, Long::sum);
                if (childrenOf != null) {
                    for (int i = frames.size() - 1; i >= 0; i--) {
                        if (name(frames.get(i)).contains(childrenOf)) {
                            children.merge(i == 0 ? "(self)" : name(frames.get(i - 1)), 1L, Long::sum);
                            break;
                        }
                    }
                }
                if (stacksOf != null) {
                    for (int i = 0; i < frames.size(); i++) {
                        if (name(frames.get(i)).contains(stacksOf)) {
                            StringBuilder path = new StringBuilder();
                            for (int j = 0; j < Math.min(frames.size(), 12); j++) {
                                path.append("\n        ").append(name(frames.get(j)));
                            }
                            stacks.merge(path.toString(), 1L, Long::sum);
                            break;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: %,d execution samples%n", file.getFileName(), samples);
        print("by thread", byThread, samples, top);
        print("by operation (each sample once: the first listed operation in its stack)", byOperation, samples, top);
        print("stack passes through (a sample may count in several)", byCategory, samples, top);
        if (childrenOf != null) {
            long within = children.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf(
                    Locale.ROOT,
                    "inside %s (%.1f%% of samples), by the method it called:%n",
                    childrenOf,
                    100.0 * within / Math.max(1, samples));
            print("", children, within, top);
        }
        print("top methods (self)", byMethod, samples, top);
        if (stacksOf != null) {
            print("stacks through " + stacksOf, stacks, samples, 10);
        }
        System.out.printf(Locale.ROOT, "GC: %d collections, %d ms of pauses%n", gcs, gcPauseNanos / 1_000_000);
        System.exit(0);
    }

    private static String operation(List<RecordedFrame> frames) {
        for (var operation : OPERATIONS) {
            for (RecordedFrame frame : frames) {
                String frameName = name(frame);
                for (String marker : operation.getValue()) {
                    if (frameName.startsWith(marker)) {
                        return operation.getKey();
                    }
                }
            }
        }
        return "other: " + name(frames.get(0));
    }

    private static String name(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        return method == null ? "?" : method.getType().getName() + "." + method.getName();
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        if (!title.isEmpty()) {
            System.out.println(title + ":");
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((name, n) -> System.out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n", 100.0 * n / total, n, name));
    }
}
