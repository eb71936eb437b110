package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples Sluice's memory once a second into a {@link Timeline}: the used heap from its
 * Prometheus metrics ({@code sluice_heap}) and, when its pid is known, the resident set from
 * /proc ({@code sluice_rss}). The heap says whether Sluice holds on to what it handles; the
 * resident set is what a container's memory limit sees. A failed sample is skipped, not fatal:
 * memory is context for the figures, not one of them.
 */
final class MemorySampler implements AutoCloseable {

    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\".*\\} (\\S+)$");
    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB$");
    /** Quarkus's management port, where Sluice serves /q/metrics unless told otherwise (application.properties). */
    private static final int MANAGEMENT_PORT = 9000;

    private final URI metrics;
    private final Long pid;
    private final Timeline timeline;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread thread = new Thread(this::run, "memory-sampler");
    private volatile boolean running = true;
    private volatile double maxHeapMegabytes;
    private volatile double lastHeapMegabytes;
    private volatile int samples;

    /**
     * @param management Sluice's management interface (its {@code /q/metrics} is read), see {@link #management}
     * @param pid Sluice's pid, or null when it is not on this machine
     */
    MemorySampler(URI management, Long pid, Timeline timeline) {
        this.metrics = management.resolve("/q/metrics");
        this.pid = pid;
        this.timeline = timeline;
        thread.setDaemon(true);
    }

    MemorySampler start() {
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            heapMegabytes().ifPresent(heap -> {
                timeline.memory(now, "sluice_heap", heap);
                lastHeapMegabytes = heap;
                maxHeapMegabytes = Math.max(maxHeapMegabytes, heap);
                samples++;
            });
            if (pid != null) {
                residentMegabytes(pid).ifPresent(rss -> timeline.memory(now, "sluice_rss", rss));
            }
            try {
                Thread.sleep(Math.max(1, 1000 - (System.nanoTime() - now) / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private OptionalDouble heapMegabytes() {
        String text = metricsText(http, metrics);
        if (text == null) {
            return OptionalDouble.empty();
        }
        double used = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher matcher = HEAP.matcher(line);
            if (matcher.matches()) {
                used += Double.parseDouble(matcher.group(1));
                found = true;
            }
        }
        return found ? OptionalDouble.of(used / 1e6) : OptionalDouble.empty();
    }

    /**
     * Sluice's management interface, where its metrics are (never the API's port): {@code given}
     * (a driver's {@code --metrics URL}) when there is one, else the API's host on the management
     * port Sluice ships with.
     */
    static URI management(String given, URI api) {
        return given != null
                ? URI.create(given)
                : URI.create(api.getScheme() + "://" + api.getHost() + ":" + MANAGEMENT_PORT + "/");
    }

    /** Sluice's Prometheus text from {@code metrics}, or null when it did not answer within 2 s. */
    static String metricsText(HttpClient http, URI metrics) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(metrics)
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    static OptionalDouble residentMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                Matcher matcher = RSS.matcher(line);
                if (matcher.matches()) {
                    return OptionalDouble.of(Long.parseLong(matcher.group(1)) / 1024.0);
                }
            }
        } catch (Exception e) {
            // the process ended, or no /proc here
        }
        return OptionalDouble.empty();
    }

    double maxHeapMegabytes() {
        return maxHeapMegabytes;
    }

    double lastHeapMegabytes() {
        return lastHeapMegabytes;
    }

    int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
