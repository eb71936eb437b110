package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * One benchmark phase second by second, for the report's charts: events completed in each
 * second, the latency percentiles of what completed in it, and memory samples. A phase's
 * single figure hides a stall, a warm-up still going on, or a heap that keeps growing; the
 * series shows them. Seconds count from the phase's start (its measured window, where it has
 * one). Written as CSV with the header {@code second,events,p50_ms,p99_ms,max_ms} followed by
 * one column per memory series ({@code <name>_mb}).
 */
final class Timeline {

    private final long startNanos;
    private final Map<Long, Second> seconds = new TreeMap<>();
    private final Map<String, Map<Long, Double>> memory = new TreeMap<>();

    private static final class Second {
        long events;
        // Microseconds, up to an hour, 2 significant digits: a percentile per second needs no more.
        final Histogram latencyMicros = new Histogram(3_600_000_000L, 2);
    }

    Timeline(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Something completed at {@code nowNanos}: {@code events} events after {@code latencyMicros}. */
    synchronized void record(long nowNanos, long latencyMicros, long events) {
        recordInSecond(secondOf(nowNanos), latencyMicros, events);
    }

    /**
     * As {@link #record(long, long, long)}, by second from the start, for series built afterwards
     * (from rows, for instance). A negative latency records the events without one.
     */
    synchronized void recordInSecond(long second, long latencyMicros, long events) {
        if (second < 0) {
            return;
        }
        Second bucket = seconds.computeIfAbsent(second, s -> new Second());
        bucket.events += events;
        if (latencyMicros >= 0) {
            bucket.latencyMicros.recordValue(
                    Math.min(bucket.latencyMicros.getHighestTrackableValue(), Math.max(1, latencyMicros)));
        }
    }

    /** A memory sample, e.g. ("sluice_heap", 84.5). The last sample of a second wins. */
    synchronized void memory(long nowNanos, String name, double megabytes) {
        long second = secondOf(nowNanos);
        if (second >= 0) {
            memory.computeIfAbsent(name, n -> new TreeMap<>()).put(second, megabytes);
        }
    }

    private long secondOf(long nowNanos) {
        long elapsed = nowNanos - startNanos;
        return elapsed < 0 ? -1 : elapsed / 1_000_000_000L;
    }

    synchronized boolean isEmpty() {
        return seconds.isEmpty() && memory.isEmpty();
    }

    synchronized List<String> csvLines() {
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("second,events,p50_ms,p99_ms,max_ms");
        memory.keySet().forEach(name -> header.append(',').append(name).append("_mb"));
        lines.add(header.toString());
        TreeMap<Long, Boolean> all = new TreeMap<>();
        seconds.keySet().forEach(s -> all.put(s, true));
        memory.values().forEach(series -> series.keySet().forEach(s -> all.put(s, true)));
        if (all.isEmpty()) {
            return lines;
        }
        for (long second = 0; second <= all.lastKey(); second++) {
            Second bucket = seconds.get(second);
            StringBuilder line = new StringBuilder().append(second);
            if (bucket == null || bucket.latencyMicros.getTotalCount() == 0) {
                line.append(',').append(bucket == null ? 0 : bucket.events).append(",,,");
            } else {
                Histogram h = bucket.latencyMicros;
                line.append(',').append(bucket.events);
                line.append(',').append(millis(h.getValueAtPercentile(50)));
                line.append(',').append(millis(h.getValueAtPercentile(99)));
                line.append(',').append(millis(h.getMaxValue()));
            }
            for (Map<Long, Double> series : memory.values()) {
                Double value = series.get(second);
                line.append(',').append(value == null ? "" : String.format(Locale.ROOT, "%.1f", value));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    void write(Path csv) throws IOException {
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.write(csv, csvLines());
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }
}
