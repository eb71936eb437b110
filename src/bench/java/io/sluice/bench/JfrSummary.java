package io.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went, from a JFR recording: execution samples by the method on top of the
 * stack, by the library that method belongs to (self and anywhere in the stack), and by
 * thread; plus GC pauses and the most allocated classes.
 *
 * <pre>JfrSummary recording.jfr [--top 25] [--callers text]</pre>
 *
 * With {@code --callers}, also the most frequent stacks (10 frames) of samples that have a
 * frame containing {@code text}, e.g. {@code --callers regex.Pattern}; with {@code --allocations
 * class}, the most frequent stacks (10 frames) allocating that class, by sampled weight.
 */
public final class JfrSummary {

    /** Package prefixes, most specific first, and the name each is reported under. */
    private static final List<Map.Entry<String, String>> LIBRARIES = List.of(
            Map.entry("io.sluice.", "sluice"),
            Map.entry("com.fasterxml.jackson.", "jackson"),
            Map.entry("org.apache.kafka.", "kafka-clients"),
            Map.entry("io.smallrye.reactive.messaging.", "smallrye-messaging"),
            Map.entry("io.smallrye.mutiny.", "mutiny"),
            Map.entry("io.smallrye.", "smallrye-other"),
            Map.entry("org.jboss.resteasy.reactive.", "resteasy-reactive"),
            Map.entry("io.quarkus.resteasy.reactive.", "resteasy-reactive"),
            Map.entry("io.quarkus.vertx.", "quarkus-vertx"),
            Map.entry("io.quarkus.arc.", "arc"),
            Map.entry("io.quarkus.micrometer.", "micrometer"),
            Map.entry("io.micrometer.", "micrometer"),
            Map.entry("io.quarkus.", "quarkus-other"),
            Map.entry("io.vertx.", "vertx"),
            Map.entry("io.netty.", "netty"),
            Map.entry("net.jpountz.", "lz4"),
            Map.entry("org.jboss.logmanager.", "logging"),
            Map.entry("org.jboss.logging.", "logging"),
            Map.entry("java.", "jdk"),
            Map.entry("javax.", "jdk"),
            Map.entry("jdk.", "jdk"),
            Map.entry("sun.", "jdk"));

    private JfrSummary() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Path file = Path.of(args.positional(0, ""));
        int top = args.getInt("top", 25);

        Map<String, Long> byMethod = new HashMap<>();
        Map<String, Long> byLibrarySelf = new HashMap<>();
        Map<String, Long> byLibraryInStack = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        String callersOf = args.get("callers", null);
        Map<String, Long> callers = new HashMap<>();
        String allocationsOf = args.get("allocations", null);
        Map<String, Long> allocationStacks = new HashMap<>();
        Map<String, Long> deoptimized = new HashMap<>();
        long compilations = 0;
        Duration compiling = Duration.ZERO;
        long samples = 0;
        long gcCount = 0;
        Duration gcPauses = Duration.ZERO;
        Duration longestPause = Duration.ZERO;

        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> {
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        samples++;
                        RecordedFrame first = stack.getFrames().get(0);
                        byMethod.merge(frameName(first), 1L, Long::sum);
                        byLibrarySelf.merge(library(first), 1L, Long::sum);
                        Set<String> seen = new HashSet<>();
                        for (RecordedFrame frame : stack.getFrames()) {
                            seen.add(library(frame));
                        }
                        seen.forEach(library -> byLibraryInStack.merge(library, 1L, Long::sum));
                        if (callersOf != null) {
                            List<RecordedFrame> frames = stack.getFrames();
                            for (int i = 0; i < frames.size(); i++) {
                                if (frameName(frames.get(i)).contains(callersOf)) {
                                    StringBuilder path = new StringBuilder();
                                    for (int j = i; j < Math.min(frames.size(), i + 10); j++) {
                                        path.append("\n      ").append(frameName(frames.get(j)));
                                    }
                                    callers.merge(path.toString(), 1L, Long::sum);
                                    break;
                                }
                            }
                        }
                        var thread = event.getThread("sampledThread");
                        String name = thread == null ? "?" : thread.getJavaName();
                        byThread.merge(name == null ? "?" : name.replaceAll("[0-9]+", "N"), 1L, Long::sum);
                    }
                    case "jdk.GarbageCollection" -> {
                        gcCount++;
                        Duration pause = event.getDuration("sumOfPauses");
                        gcPauses = gcPauses.plus(pause);
                        if (pause.compareTo(longestPause) > 0) {
                            longestPause = pause;
                        }
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        RecordedClass c = event.getClass("objectClass");
                        String name = c == null ? "?" : c.getName();
                        allocated.merge(name, event.getLong("weight"), Long::sum);
                        if (name.equals(allocationsOf) && event.getStackTrace() != null) {
                            StringBuilder path = new StringBuilder();
                            List<RecordedFrame> frames = event.getStackTrace().getFrames();
                            for (int j = 0; j < Math.min(frames.size(), 10); j++) {
                                path.append("\n      ").append(frameName(frames.get(j)));
                            }
                            allocationStacks.merge(path.toString(), event.getLong("weight") >> 20, Long::sum);
                        }
                    }
                    case "jdk.Compilation" -> {
                        compilations++;
                        compiling = compiling.plus(event.getDuration());
                    }
                    case "jdk.Deoptimization" -> {
                        RecordedMethod m = event.getValue("method");
                        String where = m == null ? "?" : m.getType().getName() + "." + m.getName();
                        deoptimized.merge(event.getString("reason") + " in " + where, 1L, Long::sum);
                    }
                    default -> {}
                }
            }
        }

        System.out.printf(Locale.ROOT, "%s: %,d execution samples%n", file.getFileName(), samples);
        print("by library (self: the method on top of the stack)", byLibrarySelf, samples, top);
        print("by library (anywhere in the stack)", byLibraryInStack, samples, top);
        print("top methods (self)", byMethod, samples, top);
        print("by thread", byThread, samples, top);
        if (callersOf != null) {
            print("stacks through " + callersOf, callers, samples, 8);
        }
        System.out.printf(
                Locale.ROOT,
                "GC: %d collections, pauses %d ms in all, longest %d ms%n",
                gcCount,
                gcPauses.toMillis(),
                longestPause.toMillis());
        System.out.printf(
                Locale.ROOT,
                "JIT: %d compilations taking %,d ms in all; %d deoptimizations%n",
                compilations,
                compiling.toMillis(),
                deoptimized.values().stream().mapToLong(Long::longValue).sum());
        sorted(deoptimized, 5).forEach((what, n) -> System.out.printf(Locale.ROOT, "  %5d  %s%n", n, what));
        long allocatedTotal =
                allocated.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(
                Locale.ROOT, "allocation (sampled weight) %,d MB in all; top classes:%n", allocatedTotal >> 20);
        if (allocationsOf != null) {
            System.out.println("stacks allocating " + allocationsOf + " (MB):");
            sorted(allocationStacks, 6).forEach((path, mb) -> System.out.printf(Locale.ROOT, "  %,8d%s%n", mb, path));
        }
        sorted(allocated, 10)
                .forEach((name, bytes) -> System.out.printf(
                        Locale.ROOT, "  %6.1f%%  %,8d MB  %s%n", 100.0 * bytes / allocatedTotal, bytes >> 20, name));
    }

    private static String frameName(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        return method == null ? "?" : method.getType().getName() + "." + method.getName();
    }

    private static String library(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        String name = method == null ? "" : method.getType().getName();
        for (var entry : LIBRARIES) {
            if (name.startsWith(entry.getKey())) {
                return entry.getValue();
            }
        }
        return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "other";
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        System.out.println(title + ":");
        sorted(counts, top)
                .forEach((name, count) ->
                        System.out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n", 100.0 * count / total, count, name));
    }

    private static Map<String, Long> sorted(Map<String, Long> counts, int top) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
