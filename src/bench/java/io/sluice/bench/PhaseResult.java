package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.AsyncResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** What one phase measured. Filled on the driver's single event loop thread only. */
final class PhaseResult {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final String description;
    // Microseconds, up to an hour, 3 significant digits.
    final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
    final Map<Integer, Long> statuses = new TreeMap<>();
    long requests;
    long events;
    long errors;
    String firstError;
    String firstNon2xx;
    String contract;
    double seconds;
    /** Open loop: the largest delay between a request's intended and actual send time. */
    long maxSendLagMicros;

    CpuMeter.Usage cpu;
    /** Second by second, for the report's charts; null when not asked for. */
    Timeline timeline;
    /** The target is a Kafka Bridge (200 means accepted), not Sluice (202 or 207). */
    boolean bridge;
    /**
     * Closed loop: where the answers that arrive after the window go (the requests in flight when
     * it closed), for a caller that must count every accepted event; null: they are dropped.
     */
    PhaseResult afterWindow;

    PhaseResult(String name, String description) {
        this.name = name;
        this.description = description;
    }

    void record(AsyncResult<Outcome> result, long latencyNanos, int eventsInRequest) {
        requests++;
        long micros = Math.max(1, latencyNanos / 1000);
        latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), micros));
        long accepted = accepted(result, eventsInRequest);
        events += accepted;
        if (timeline != null) {
            timeline.record(System.nanoTime(), micros, accepted);
        }
    }

    /** Counts the statuses and checks the contract; returns how many of the request's events were accepted. */
    private long accepted(AsyncResult<Outcome> result, int eventsInRequest) {
        if (result.failed()) {
            errors++;
            if (firstError == null) {
                firstError = String.valueOf(result.cause());
            }
            return 0;
        }
        Outcome outcome = result.result();
        statuses.merge(outcome.status(), 1L, Long::sum);
        if (outcome.status() == 202) {
            if (contract == null) {
                contract = checkContract(outcome.body(), eventsInRequest);
            }
            return eventsInRequest;
        }
        if (outcome.status() == 207) {
            return accepted(outcome.body());
        }
        if (outcome.status() == 200 && bridge) {
            // The Kafka Bridge answers 200 with one offset per record, all or nothing.
            return eventsInRequest;
        }
        if (firstNon2xx == null) {
            firstNon2xx = outcome.status() + " " + abbreviate(outcome.body());
        }
        return 0;
    }

    long non2xx() {
        return statuses.entrySet().stream()
                .filter(e -> e.getKey() < 200 || e.getKey() > 299)
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    double eventsPerSecond() {
        return events / seconds;
    }

    double requestsPerSecond() {
        return requests / seconds;
    }

    double percentileMillis(double percentile) {
        return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return latencyMicros.getMaxValue() / 1000.0;
    }

    /** The checked part of the contract: {"accepted":n,"results":[{"index","status":202,"partition","offset"}...]}. */
    static String checkContract(String body, int expected) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root.path("accepted").asInt(-1) != expected) {
                return "accepted is not " + expected + ": " + abbreviate(body);
            }
            JsonNode results = root.path("results");
            if (!results.isArray() || results.size() != expected) {
                return "results does not hold " + expected + " entries: " + abbreviate(body);
            }
            for (JsonNode r : results) {
                if (r.path("status").asInt() != 202
                        || !r.path("partition").canConvertToInt()
                        || !r.path("offset").canConvertToLong()) {
                    return "a result lacks status 202, partition or offset: " + abbreviate(r.toString());
                }
            }
            return "ok";
        } catch (IOException e) {
            return "not JSON: " + abbreviate(body);
        }
    }

    private static long accepted(String body) {
        try {
            return JSON.readTree(body).path("accepted").asLong(0);
        } catch (IOException e) {
            return 0;
        }
    }

    static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }

    String summary() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%s: %s%n  %,d requests in %.1f s (%,.0f/s), %,.0f events/s accepted%n",
                name,
                description,
                requests,
                seconds,
                requestsPerSecond(),
                eventsPerSecond()));
        out.append(String.format(
                Locale.ROOT,
                "  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                percentileMillis(50),
                percentileMillis(90),
                percentileMillis(99),
                percentileMillis(99.9),
                maxMillis()));
        out.append(String.format(
                Locale.ROOT, "  statuses %s, non-2xx %,d, transport errors %,d%n", statuses, non2xx(), errors));
        if (firstNon2xx != null) {
            out.append("  first non-2xx: ").append(firstNon2xx).append('\n');
        }
        if (firstError != null) {
            out.append("  first error: ").append(firstError).append('\n');
        }
        if (contract != null && !contract.equals("ok")) {
            out.append("  contract mismatch: ").append(contract).append('\n');
        }
        if (maxSendLagMicros > 0) {
            out.append(String.format(
                    Locale.ROOT, "  driver send lag (intended -> sent) max %.2f ms%n", maxSendLagMicros / 1000.0));
        }
        if (cpu != null) {
            out.append("  cpu, cores used of ")
                    .append(Runtime.getRuntime().availableProcessors())
                    .append(": ")
                    .append(CpuMeter.describe(cpu))
                    .append('\n');
        }
        return out.toString();
    }

    /** key=value lines for the report, prefixed with the phase name. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("description", description);
        p.put("requests", Long.toString(requests));
        p.put("events", Long.toString(events));
        p.put("seconds", fmt(seconds));
        p.put("events_per_s", fmt(eventsPerSecond()));
        p.put("requests_per_s", fmt(requestsPerSecond()));
        p.put("p50_ms", fmt(percentileMillis(50)));
        p.put("p90_ms", fmt(percentileMillis(90)));
        p.put("p99_ms", fmt(percentileMillis(99)));
        p.put("p999_ms", fmt(percentileMillis(99.9)));
        p.put("max_ms", fmt(maxMillis()));
        p.put("non2xx", Long.toString(non2xx()));
        p.put("errors", Long.toString(errors));
        p.put("statuses", statuses.toString());
        p.put("contract", contract == null ? "unchecked" : contract);
        p.put("send_lag_max_ms", fmt(maxSendLagMicros / 1000.0));
        if (cpu != null) {
            cpu.processes().forEach((k, v) -> {
                p.put("cpu." + k, fmt(v[0]));
                p.put("cpu." + k + ".sys", fmt(v[2]));
            });
            // The JIT's share, so CPU per event can be given without a warm-up that is still going on.
            p.put(
                    "cpu.jit",
                    fmt(cpu.threads().entrySet().stream()
                            .filter(e -> e.getKey().contains("CompilerThre"))
                            .mapToDouble(Map.Entry::getValue)
                            .sum()));
            p.put("cpu.other", fmt(cpu.other()));
            p.put("cpu.idle", fmt(cpu.idle()));
            StringBuilder threads = new StringBuilder();
            cpu.threads()
                    .forEach((k, v) -> threads.append(threads.length() == 0 ? "" : "; ")
                            .append(k)
                            .append(' ')
                            .append(String.format(Locale.ROOT, "%.2f", v)));
            p.put("cpu.threads", threads.toString());
            StringBuilder others = new StringBuilder();
            cpu.others()
                    .forEach((k, v) -> others.append(others.length() == 0 ? "" : "; ")
                            .append(k)
                            .append(' ')
                            .append(String.format(Locale.ROOT, "%.2f", v)));
            p.put("cpu.others", others.toString());
        }
        return p;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    record Outcome(int status, String body) {}
}
