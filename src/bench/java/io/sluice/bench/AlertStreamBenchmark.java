package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Alert raised → received over SSE, against a running Sluice (sink on): a threshold rule on a
 * type of the run's own, events that each raise one alert (a subject apiece), posted at a
 * fixed alert rate, and N subscribers that note when each alert reaches them. The latency is
 * the alert's {@code raisedAt} (when the sink's transaction wrote it, just before its commit;
 * PostgreSQL's clock, same machine) to the moment the subscriber has parsed it; beside it, the
 * whole path from the POST of the event that raised it (ingest, Kafka, the sink's batch). Beside them, optionally, one client
 * that reads 1 KB/s: it must be cut off while the others keep their latency. Sluice's memory
 * is sampled throughout ({@link MemorySampler}).
 *
 * <pre>
 * AlertStreamBenchmark --url U --token T --subscribers N --rate ALERTS_PER_S --duration S [--slow-client true]
 *     [--rules N] [--series FILE.csv] [--sluice-pid PID] [--markdown FILE.md] [--metrics URL]
 * </pre>
 *
 * {@code --series} writes the measured window second by second ({@link Timeline}): deliveries
 * per second by time of receipt, their raised → received percentiles, Sluice's heap and, with
 * {@code --sluice-pid}, its resident set. {@code --markdown} appends the phase's row to a table
 * (its header first when the file is new), so that a run's phases end up in one table.
 * {@code --metrics} is Sluice's management interface, where its metrics are (default: the
 * {@code --url}'s host on port 9000).
 */
public final class AlertStreamBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final URI management;
    private final int subscribers;
    private final int rate;
    private final Duration duration;
    private final boolean slowClient;
    /** Where to write the phase's per-second series, or null. */
    private final Path series;
    /** The table of phases to append this one's row to, or null. */
    private final Path markdown;
    /**
     * Rules the tenant holds during the phase: the measured one and {@code rules - 1} of other
     * types, which its events can never match (what their presence costs the sink is the point).
     */
    private final int rules;

    /** Sluice's pid for its resident set, or null (not on this machine, or not given). */
    private final Long sluicePid;

    private final HttpClient http = HttpClient.newHttpClient();
    /**
     * The subscribers' connections: HTTP/1.1, one connection each, as separate clients have
     * (the default would upgrade to HTTP/2 and multiplex them all over one connection); their
     * lines are handled on two threads.
     */
    private final HttpClient streams = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "subscribers");
                thread.setDaemon(true);
                return thread;
            }))
            .build();

    private final String type = "alert-bench-" + UUID.randomUUID();
    /** When the POST of each event began, by event id. */
    private final Map<String, Instant> postedAt = new ConcurrentHashMap<>();

    private static final Duration DRIVER_WARM_UP = Duration.ofSeconds(5);
    private long measured;

    /** {@code Authorization} of every request: Sluice needs a key with the subscribe and admin scopes. */
    private static String authorization = "";

    private AlertStreamBenchmark(Args args) {
        this.url = URI.create(args.get("url", "http://127.0.0.1:8080"));
        this.management = MemorySampler.management(args.get("metrics", null), url);
        this.subscribers = args.getInt("subscribers", 1);
        this.rate = args.getInt("rate", 1000);
        this.duration = Duration.ofSeconds(args.getInt("duration", 60));
        this.slowClient = args.flag("slow-client");
        this.series = args.has("series") ? Path.of(args.get("series", "")) : null;
        this.markdown = args.has("markdown") ? Path.of(args.get("markdown", "")) : null;
        this.sluicePid = args.has("sluice-pid") ? Long.valueOf(args.get("sluice-pid", "")) : null;
        this.rules = args.getInt("rules", 1);
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        authorization = "Bearer " + args.get("token", "");
        new AlertStreamBenchmark(args).run();
    }

    private void run() throws Exception {
        String rule = post(
                        "/v1/rules",
                        "application/json",
                        "{\"name\":\"bench\",\"kind\":\"threshold\",\"type\":\"" + type
                                + "\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}",
                        201)
                .path("id")
                .asText();
        URI stream = url.resolve("/v1/alerts/stream?rule=" + rule);
        List<Subscriber> readers = new ArrayList<>();
        SlowReader slow = null;
        List<String> others = new ArrayList<>();
        try {
            for (int i = 1; i < rules; i++) {
                others.add(post(
                                "/v1/rules",
                                "application/json",
                                "{\"name\":\"bench-other\",\"kind\":\"threshold\",\"type\":\"" + type + "-other-" + i
                                        + "\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}",
                                201)
                        .path("id")
                        .asText());
            }
            if (rules > 1) {
                System.out.printf(
                        Locale.ROOT, "alerts: the tenant holds %d rules, %d of other types%n", rules, rules - 1);
            }
            for (int i = 0; i < subscribers; i++) {
                readers.add(new Subscriber(streams, stream, postedAt));
            }
            if (slowClient) {
                slow = new SlowReader(stream);
            }
            long connectBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (readers.stream().anyMatch(reader -> !reader.open) && System.nanoTime() < connectBy) {
                Thread.sleep(100);
            }
            long open = readers.stream().filter(reader -> reader.open).count();
            if (open < subscribers) {
                // A refused subscriber would only lower the delivery count: say why instead.
                throw new IllegalStateException(open + " of " + subscribers + " subscribers have their stream open"
                        + " after 60 s; Sluice caps open streams per key (sluice.security.streams.per-key)");
            }
            Thread.sleep(1_000);
            long start = System.nanoTime();
            // The series counts from the measured window, as the printed figures do.
            Timeline timeline = new Timeline(start + DRIVER_WARM_UP.toNanos());
            MemorySampler memory = new MemorySampler(management, sluicePid, timeline).start();
            CpuMeter cpu =
                    sluicePid != null && CpuMeter.available() ? new CpuMeter(Map.of("sluice", sluicePid), null) : null;
            if (cpu != null) {
                cpu.start();
            }
            long posted = raise(start);
            awaitDeliveries(readers, posted);
            memory.close();
            if (cpu != null) {
                // Posting, storing, evaluating and streaming, warm-up included: what the rules cost shows here.
                System.out.printf(
                        Locale.ROOT,
                        "alerts: Sluice used %.2f cores while the alerts were raised and delivered%n",
                        cpu.stop().processes().get("sluice")[0]);
            }
            if (slow != null) {
                slow.drain(Duration.ofSeconds(60));
            }
            report(posted, readers, slow, memory);
            printSluiceTimers();
            if (series != null) {
                readers.forEach(reader -> reader.recordInto(timeline));
                timeline.write(series);
            }
        } finally {
            readers.forEach(Subscriber::close);
            if (slow != null) {
                slow.close();
            }
            others.add(rule);
            for (String id : others) {
                http.send(
                        HttpRequest.newBuilder(url.resolve("/v1/rules/" + id))
                                .header("Authorization", authorization)
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /** Lets the last alerts arrive: until every subscriber has them all, for up to 30 s. */
    private static void awaitDeliveries(List<Subscriber> readers, long posted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && readers.stream().anyMatch(r -> r.received.get() < posted)) {
            Thread.sleep(200);
        }
    }

    /**
     * Posts events at {@code rate} alerts per second for {@link #DRIVER_WARM_UP}, then for
     * {@code duration}, in batches every 100 ms, from {@code start} (a {@link System#nanoTime()}).
     * Only the alerts of the second part are measured: this driver is a fresh JVM each phase,
     * and its own first seconds (compiling its readers as a thousand connections start at once)
     * are not Sluice's latency.
     */
    private long raise(long start) throws Exception {
        int perBatch = Math.max(1, rate / 10);
        long interval = Duration.ofSeconds(1).toNanos() * perBatch / rate;
        long measureFrom = start + DRIVER_WARM_UP.toNanos();
        long end = measureFrom + duration.toNanos();
        long posted = 0;
        for (long next = start; next < end; next += interval) {
            LockSupport.parkNanos(next - System.nanoTime());
            ArrayNode events = JSON.createArrayNode();
            for (int i = 0; i < perBatch; i++) {
                ObjectNode event = events.addObject()
                        .put("specversion", "1.0")
                        .put("id", type + "-" + (posted + i))
                        .put("source", "/alert-bench")
                        .put("type", type)
                        .put("subject", "subject-" + (posted + i));
                event.putObject("data").put("v", 1);
            }
            Instant sent = Instant.now();
            if (next >= measureFrom) {
                events.forEach(event -> postedAt.put(event.path("id").asText(), sent));
            }
            post("/v1/events", "application/cloudevents-batch+json", events.toString(), 202);
            posted += perBatch;
        }
        measured = postedAt.size();
        return posted;
    }

    private void report(long posted, List<Subscriber> readers, SlowReader slow, MemorySampler memory)
            throws IOException {
        long[] all = raisedToReceived(readers);
        long[] endToEnd = readers.stream()
                .flatMapToLong(reader -> Arrays.stream(reader.latencies(reader.postedToReceived)))
                .sorted()
                .toArray();
        long received =
                readers.stream().mapToLong(reader -> reader.received.get()).sum();
        System.out.printf(
                Locale.ROOT,
                "alerts: %d subscribers, %d alerts raised at %d/s for %d s (the last %d s, %d alerts, measured);"
                        + " %d of %d deliveries (%.1f %%)%n",
                subscribers,
                posted,
                rate,
                duration.plus(DRIVER_WARM_UP).toSeconds(),
                duration.toSeconds(),
                measured,
                received,
                posted * subscribers,
                100.0 * received / Math.max(1, posted * subscribers));
        System.out.printf(
                Locale.ROOT,
                "alerts: raised -> received p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                percentile(all, 0.50),
                percentile(all, 0.90),
                percentile(all, 0.99),
                all.length == 0 ? -1 : all[all.length - 1]);
        Map<Long, Long> worst = new TreeMap<>();
        readers.forEach(reader -> reader.worstBySecond().forEach((second, ms) -> worst.merge(second, ms, Math::max)));
        long slowSeconds = worst.values().stream().filter(ms -> ms > 100).count();
        System.out.printf(
                Locale.ROOT,
                "alerts: seconds with an alert later than 100 ms: %d of %d%s%n",
                slowSeconds,
                worst.size(),
                worst.entrySet().stream()
                        .filter(entry -> entry.getValue() > 100)
                        .map(entry -> " " + Instant.ofEpochSecond(entry.getKey()) + "=" + entry.getValue() + "ms")
                        .limit(10)
                        .reduce("", String::concat));
        System.out.printf(
                Locale.ROOT,
                "alerts: event posted -> alert received p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                percentile(endToEnd, 0.50),
                percentile(endToEnd, 0.90),
                percentile(endToEnd, 0.99),
                endToEnd.length == 0 ? -1 : endToEnd[endToEnd.length - 1]);
        System.out.printf(
                Locale.ROOT,
                "alerts: Sluice heap used max %.0f MB, last %.0f MB (%d samples)%n",
                memory.maxHeapMegabytes(),
                memory.lastHeapMegabytes(),
                memory.samples());
        if (slow != null) {
            System.out.printf(
                    Locale.ROOT,
                    "alerts: slow client (1 KB/s during the phase, then read out at full speed): %s;"
                            + " %d alerts, %d bytes in all, %d of them in the kernel's socket buffers when the phase"
                            + " ended%n",
                    slow.cutOff.get() ? "cut off (its stream ends with event: cut-off)" : "NOT cut off",
                    slow.alerts.get(),
                    slow.bytes.get(),
                    slow.drained);
        }
        if (markdown != null) {
            appendMarkdownRow(posted, received, all, slow, memory);
        }
    }

    /** The measured raised -> received latencies of all subscribers in ms, sorted. */
    private static long[] raisedToReceived(List<Subscriber> readers) {
        return readers.stream()
                .flatMapToLong(reader -> Arrays.stream(reader.latencies(reader.raisedToReceived)))
                .sorted()
                .toArray();
    }

    /**
     * Appends the phase's row to the markdown table of the run's phases, the header first when
     * the file is new: the figures printed above that a report quotes, without parsing them.
     */
    private void appendMarkdownRow(long posted, long received, long[] all, SlowReader slow, MemorySampler memory)
            throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(markdown) || Files.size(markdown) == 0) {
            // Deliveries count the driver's warm-up too, as the printed line does; latencies do not.
            lines.add("| subscribers | alerts/s | seconds measured | deliveries (warm-up included)"
                    + " | raised -> received p50 ms | p99 ms | max ms | slow client cut off | Sluice heap max MB |");
            lines.add("|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        }
        lines.add(String.format(
                Locale.ROOT,
                "| %d | %d | %d | %d of %d | %d | %d | %d | %s | %.0f |",
                subscribers,
                rate,
                duration.toSeconds(),
                received,
                posted * subscribers,
                percentile(all, 0.50),
                percentile(all, 0.99),
                all.length == 0 ? -1 : all[all.length - 1],
                slow == null ? "n/a" : slow.cutOff.get() ? "yes" : "no",
                memory.maxHeapMegabytes()));
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.write(markdown, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Sluice's own view of the path (cumulative since it started): a relay page, and raised →
     * arrived back from the alerts topic; tells the relay's share of the latency from the SSE's.
     */
    private void printSluiceTimers() throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(management.resolve("/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        metrics.lines()
                .filter(line -> line.startsWith("sluice_alerts_relay_"))
                .filter(line -> line.contains("quantile") || line.contains("_count") || line.contains("_max"))
                .forEach(line -> System.out.println("alerts: sluice " + line));
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private JsonNode post(String path, String contentType, String body, int expected) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(url.resolve(path))
                        .header("Authorization", authorization)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * One SSE client, noting each alert's latencies in milliseconds. Its lines arrive on the
     * streams client's two threads, not a thread of its own: a thousand blocked readers waking
     * at once on the machine that runs Sluice would take its CPU and measure the scheduler.
     */
    private static final class Subscriber implements Flow.Subscriber<String> {
        private final AtomicLong received = new AtomicLong();
        private final List<Long> raisedToReceived = new ArrayList<>();
        /** The worst raised -> received latency of each second of arrival (epoch second -> ms). */
        private final Map<Long, Long> worstBySecond = new HashMap<>();

        private final List<Long> postedToReceived = new ArrayList<>();
        /**
         * Each measured delivery's {@link System#nanoTime()} at receipt and raised -> received
         * latency in µs, for the series: put into the phase's {@link Timeline} afterwards, since
         * the subscribers connect before the start of its measured window is known.
         */
        private final List<long[]> arrivals = new ArrayList<>();

        private final Map<String, Instant> postedAt;
        private volatile Flow.Subscription subscription;
        private volatile boolean open;

        Subscriber(HttpClient streams, URI stream, Map<String, Instant> postedAt) throws Exception {
            this.postedAt = postedAt;
            HttpResponse<Void> response = streams.sendAsync(
                            HttpRequest.newBuilder(stream)
                                    .header("Authorization", authorization)
                                    .header("Accept", "text/event-stream")
                                    .build(),
                            HttpResponse.BodyHandlers.fromLineSubscriber(this))
                    .orTimeout(30, TimeUnit.SECONDS)
                    .exceptionally(failure -> null)
                    .getNow(null);
            if (response != null && response.statusCode() != 200) {
                throw new IllegalStateException("the stream answered " + response.statusCode());
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            open = true; // the stream's first line is its retry hint
            if (!line.startsWith("data:")) {
                return;
            }
            Instant now = Instant.now();
            long nowNanos = System.nanoTime();
            // Two fields by string search, not a JSON parse: the client's CPU is Sluice's too.
            Instant raised = Instant.parse(field(line, "\"raisedAt\":\""));
            // the breaching event's id, in details.event; the run's ids start with its type
            Instant posted = postedAt.get("alert-bench-" + field(line, "\"id\":\"alert-bench-"));
            received.incrementAndGet();
            if (posted == null) {
                return; // raised while the driver warmed up
            }
            synchronized (this) {
                Duration raisedToNow = Duration.between(raised, now);
                long latency = raisedToNow.toMillis();
                raisedToReceived.add(latency);
                worstBySecond.merge(now.getEpochSecond(), latency, Math::max);
                postedToReceived.add(Duration.between(posted, now).toMillis());
                arrivals.add(new long[] {nowNanos, Math.max(0, raisedToNow.toNanos() / 1000)});
            }
        }

        @Override
        public void onError(Throwable failure) {
            // the benchmark ended, or the stream did: the counts show it
        }

        @Override
        public void onComplete() {
            // as above
        }

        /** The string value that follows {@code prefix} in {@code line}; "" when there is none. */
        private static String field(String line, String prefix) {
            int start = line.indexOf(prefix);
            if (start < 0) {
                return "";
            }
            start += prefix.length();
            return line.substring(start, line.indexOf('"', start));
        }

        synchronized Map<Long, Long> worstBySecond() {
            return new HashMap<>(worstBySecond);
        }

        synchronized long[] latencies(List<Long> which) {
            return which.stream().mapToLong(Long::longValue).toArray();
        }

        /** Each measured delivery, one event at its time of receipt with its latency. */
        synchronized void recordInto(Timeline timeline) {
            arrivals.forEach(arrival -> timeline.record(arrival[0], arrival[1], 1));
        }

        void close() {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }
    }

    /** Reads 1 KB a second through a small socket buffer, as a client on a bad line would. */
    private static final class SlowReader {
        private final Socket socket = new Socket();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong alerts = new AtomicLong();
        private final AtomicBoolean cutOff = new AtomicBoolean();
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Set once the phase is over: read what is left at full speed, to see how the stream ended. */
        private volatile boolean draining;

        SlowReader(URI stream) throws Exception {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(stream.getHost(), stream.getPort()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + stream.getRawPath() + "?" + stream.getRawQuery() + " HTTP/1.1\r\nHost: "
                            + stream.getHost() + "\r\nAccept: text/event-stream\r\nAuthorization: " + authorization
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread reader = new Thread(this::read, "slow-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            byte[] kilobyte = new byte[1024];
            StringBuilder tail = new StringBuilder();
            try (InputStream in = socket.getInputStream()) {
                int read;
                while ((read = in.read(kilobyte)) >= 0) {
                    bytes.addAndGet(read);
                    tail.append(new String(kilobyte, 0, read, StandardCharsets.UTF_8));
                    int at;
                    while ((at = tail.indexOf("\n")) >= 0) {
                        String line = tail.substring(0, at).replace("event: ", "event:");
                        tail.delete(0, at + 1);
                        if (line.startsWith("event:cut-off")) {
                            cutOff.set(true);
                        } else if (line.startsWith("event:firing")) {
                            alerts.incrementAndGet();
                        } else if (line.equals("0\r") && cutOff.get()) {
                            return; // the last chunk after the cut-off: the response is over
                        }
                    }
                    if (!draining) {
                        Thread.sleep(1_000);
                    }
                }
            } catch (Exception closed) {
                // closed by the server or by the benchmark
            } finally {
                ended.set(true);
            }
        }

        /** Reads the rest at full speed for up to {@code atMost}; true when the stream ended. */
        boolean drain(Duration atMost) throws InterruptedException {
            long bytesBefore = bytes.get();
            draining = true;
            long deadline = System.nanoTime() + atMost.toNanos();
            while (!ended.get() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            drained = bytes.get() - bytesBefore;
            return ended.get();
        }

        private volatile long drained;

        void close() {
            try {
                socket.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
