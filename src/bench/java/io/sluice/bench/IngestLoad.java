package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.LoadRunner.Request;
import io.sluice.bench.PhaseResult.Outcome;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Load driver for {@code POST /v1/events}. One phase per invocation, so the calling script can
 * profile or pause between phases; results are appended to a key=value file for the report.
 *
 * <pre>
 * IngestLoad probe  --url U [--kafka B --topic T] [--record-bytes 512]   size the events, check the contract
 * IngestLoad single --url U --pad P [--concurrency 32]                  closed loop, one event per request
 * IngestLoad open   --url U --pad P --rate R [--concurrency 32]         fixed rate, one event per request
 * IngestLoad batch  --url U --pad P [--batch-size 100 --concurrency 8]  closed loop, batches
 * IngestLoad batch-gzip --url U --pad P [--batch-size 100 --concurrency 8]
 *                   the same batches sent with Content-Encoding: gzip, as shippers send them
 * IngestLoad bridge --url U/topics/T --pad P [--batch-size 100 --concurrency 8]
 *                   the same batches through a Strimzi Kafka Bridge (the HTTP baseline)
 * IngestLoad bridge-single --url U/topics/T --pad P [--concurrency 32]
 *                   one record per request through the bridge, closed loop
 * common: --warmup 5 --duration 20 --keys 1000 --token T --result FILE --watch name=pid ...
 *         --series FILE        the phase second by second (events, latency, Sluice's memory) as CSV
 *         --sluice-pid PID     Sluice's pid, for its resident memory in the series
 *         --metrics URL        Sluice's management interface, for its heap in the series
 *                              (default: the --url's host on port 9000)
 *         --stand-in [delay-ms]   target a built-in stand-in server instead of --url (a self-check)
 * </pre>
 */
public final class IngestLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IngestLoad() {}

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        String phase = args.positional(0, "");
        StandInServer standIn = null;
        try {
            String url = args.get("url", null);
            if (args.has("stand-in")) {
                String delay = args.get("stand-in", "true");
                standIn = StandInServer.start(delay.equals("true") ? 0 : Long.parseLong(delay));
                url = phase.startsWith("bridge") ? standIn.bridgeUrl() : standIn.url();
            }
            if (url == null) {
                throw new IllegalArgumentException("--url (e.g. http://127.0.0.1:8080/v1/events) is required");
            }
            Map<String, String> out = run(phase, URI.create(url), args);
            if (standIn != null) {
                selfCheck(out);
            }
            String resultFile = args.get("result", null);
            if (resultFile != null) {
                StringBuilder lines = new StringBuilder();
                out.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
                Files.writeString(
                        Path.of(resultFile),
                        lines,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("IngestLoad " + phase + ": " + e.getMessage());
            System.exit(2);
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("IngestLoad " + phase + ": no answer from " + args.get("url", "the stand-in") + ": "
                    + e.getCause());
            System.exit(2);
        } finally {
            if (standIn != null) {
                standIn.close();
            }
        }
    }

    /** The stand-in answers every request as Sluice would: any other answer is the driver's fault. */
    static void selfCheck(Map<String, String> out) {
        out.forEach((key, value) -> {
            boolean failed = (key.endsWith(".non2xx") || key.endsWith(".errors")) && !value.equals("0")
                    || key.endsWith(".contract") && !value.equals("ok") && !value.equals("unchecked");
            if (failed) {
                throw new IllegalStateException("self-check failed: " + key + " = " + value + " against the stand-in");
            }
        });
    }

    static Map<String, String> run(String phase, URI url, Args args) throws Exception {
        int keys = args.getInt("keys", 1000);
        if (keys < 1 || keys > 10_000) {
            throw new IllegalArgumentException("--keys must be 1..10000 (subjects have 4 digits)");
        }
        Duration warmup = args.getSeconds("warmup", 5);
        Duration duration = args.getSeconds("duration", 20);
        Map<String, Long> watch = new LinkedHashMap<>();
        for (String w : args.all("watch")) {
            String[] nameAndPid = w.split("=", 2);
            watch.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
        }
        String token = args.get("token", null);
        return switch (phase) {
            case "probe" -> probe(url, token, args, keys);
            case "single" -> {
                int concurrency = args.getInt("concurrency", 32);
                EventFactory events = new EventFactory(pad(args), keys, System.nanoTime());
                try (LoadRunner runner = new LoadRunner(url, token, concurrency)) {
                    PhaseResult result = new PhaseResult(
                            "single",
                            String.format(
                                    Locale.ROOT,
                                    "1 event per request, closed loop, %d connections, %s after %s warm-up",
                                    concurrency,
                                    seconds(duration),
                                    seconds(warmup)));
                    try (Series series = Series.start(result, url, false, warmup, args)) {
                        runner.closedLoop(
                                result,
                                runner.options(EventFactory.SINGLE_CONTENT_TYPE),
                                () -> new Request(events.single(), 1),
                                concurrency,
                                warmup,
                                duration,
                                watch);
                    }
                    yield report(result, Map.of("concurrency", Integer.toString(concurrency)));
                }
            }
            case "open" -> {
                int connections = args.getInt("concurrency", 32);
                double rate = Double.parseDouble(args.require("rate"));
                EventFactory events = new EventFactory(pad(args), keys, System.nanoTime());
                try (LoadRunner runner = new LoadRunner(url, token, connections)) {
                    PhaseResult result = new PhaseResult(
                            "open",
                            String.format(
                                    Locale.ROOT,
                                    "1 event per request, open loop at %,.0f requests/s (latency from the intended"
                                            + " send time), up to %d connections, %s after %s warm-up",
                                    rate,
                                    connections,
                                    seconds(duration),
                                    seconds(warmup)));
                    try (Series series = Series.start(result, url, false, warmup, args)) {
                        runner.openLoop(
                                result,
                                runner.options(EventFactory.SINGLE_CONTENT_TYPE),
                                () -> new Request(events.single(), 1),
                                rate,
                                warmup,
                                duration,
                                watch);
                    }
                    yield report(
                            result,
                            Map.of(
                                    "rate",
                                    String.format(Locale.ROOT, "%.1f", rate),
                                    "concurrency",
                                    Integer.toString(connections)));
                }
            }
            case "batch", "batch-gzip", "bridge", "bridge-single" -> {
                boolean bridge = phase.startsWith("bridge");
                boolean single = phase.equals("bridge-single");
                int concurrency = args.getInt("concurrency", single ? 32 : 8);
                int size = single ? 1 : args.getInt("batch-size", 100);
                EventFactory events = new EventFactory(pad(args), keys, System.nanoTime());
                GzippedBatches gzipped = phase.equals("batch-gzip") ? new GzippedBatches(events, size) : null;
                String target = "";
                if (bridge) {
                    target = " to the Kafka Bridge";
                } else if (gzipped != null) {
                    target = ", gzip'd (" + gzipped.wireBytes() + " B for " + gzipped.plainBytes() + " B)";
                }
                try (LoadRunner runner = new LoadRunner(url, token, concurrency)) {
                    PhaseResult result = new PhaseResult(
                            phase.replace('-', '_'),
                            String.format(
                                    Locale.ROOT,
                                    "%s per request%s, closed loop, %d connections, %s after %s warm-up",
                                    size == 1 ? "1 event" : size + " events",
                                    target,
                                    concurrency,
                                    seconds(duration),
                                    seconds(warmup)));
                    result.bridge = bridge;
                    RequestOptions options =
                            runner.options(bridge ? EventFactory.BRIDGE_CONTENT_TYPE : EventFactory.BATCH_CONTENT_TYPE);
                    Supplier<byte[]> bodies = bridge
                            ? () -> events.bridgeBatch(size)
                            : gzipped != null ? gzipped::next : () -> events.batch(size);
                    if (gzipped != null) {
                        options.getHeaders().add("content-encoding", "gzip");
                    }
                    try (Series series = Series.start(result, url, bridge, warmup, args)) {
                        runner.closedLoop(
                                result,
                                options,
                                () -> new Request(bodies.get(), size),
                                concurrency,
                                warmup,
                                duration,
                                watch);
                    }
                    Map<String, String> extra = new LinkedHashMap<>();
                    extra.put("concurrency", Integer.toString(concurrency));
                    extra.put("batch_size", Integer.toString(size));
                    if (gzipped != null) {
                        extra.put("body_bytes", Integer.toString(gzipped.wireBytes()));
                        extra.put("plain_bytes", Integer.toString(gzipped.plainBytes()));
                    }
                    yield report(result, extra);
                }
            }
            default ->
                throw new IllegalArgumentException(
                        "phase must be probe, single, open, batch, batch-gzip, bridge or bridge-single, not '" + phase
                                + "'");
        };
    }

    /**
     * The phase second by second, when {@code --series FILE} asks for it: the result's
     * timeline, with Sluice's memory sampled beside the load (not for the bridge, which is not
     * Sluice), written when the phase ends.
     */
    private record Series(PhaseResult result, Path file, MemorySampler memory) implements AutoCloseable {

        static Series start(PhaseResult result, URI url, boolean bridge, Duration warmup, Args args) {
            String file = args.get("series", null);
            if (file == null) {
                return new Series(result, null, null);
            }
            result.timeline = new Timeline(System.nanoTime() + warmup.toNanos());
            MemorySampler memory = null;
            if (!bridge) {
                String pid = args.get("sluice-pid", null);
                memory = new MemorySampler(
                                MemorySampler.management(args.get("metrics", null), url),
                                pid == null ? null : Long.valueOf(pid),
                                result.timeline)
                        .start();
            }
            return new Series(result, Path.of(file), memory);
        }

        @Override
        public void close() throws Exception {
            if (memory != null) {
                memory.close();
            }
            if (file != null) {
                result.timeline.write(file);
            }
        }
    }

    private static int pad(Args args) {
        return Integer.parseInt(args.require("pad"));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0);
    }

    private static Map<String, String> report(PhaseResult result, Map<String, String> extra) {
        System.out.print(result.summary());
        Map<String, String> out = new LinkedHashMap<>();
        extra.forEach((k, v) -> out.put(result.name + "." + k, v));
        result.properties().forEach((k, v) -> out.put(result.name + "." + k, v));
        return out;
    }

    /**
     * Sizes the events so that the record Sluice writes has {@code --record-bytes} bytes of
     * value (read back from Kafka when {@code --kafka} is given; else the request body is
     * assumed to be the value), and checks the single and batch answers against the contract.
     */
    private static Map<String, String> probe(URI url, String token, Args args, int keys) throws Exception {
        int target = args.getInt("record-bytes", 512);
        int batchSize = args.getInt("batch-size", 100);
        String kafka = args.get("kafka", null);
        String topic = args.get("topic", "sluice.events");
        int overhead = new EventFactory(0, keys, 0).single().length;
        int pad = target - overhead;
        if (pad < 0) {
            throw new IllegalArgumentException("--record-bytes must be at least " + overhead);
        }
        Map<String, String> out = new LinkedHashMap<>();
        try (LoadRunner runner = new LoadRunner(url, token, 1);
                RecordProbe records = kafka == null ? null : new RecordProbe(kafka, topic)) {
            RequestOptions single = runner.options(EventFactory.SINGLE_CONTENT_TYPE);
            RecordProbe.Written written = null;
            for (int attempt = 0; attempt < 4; attempt++) {
                EventFactory events = new EventFactory(pad, keys, System.nanoTime());
                String id = events.nextId();
                Outcome outcome = runner.postAndWait(single, events.single());
                if (outcome.status() != 202) {
                    throw new IllegalStateException("a single event got " + outcome.status() + " instead of 202: "
                            + PhaseResult.abbreviate(outcome.body()));
                }
                String contract = PhaseResult.checkContract(outcome.body(), 1);
                if (!contract.equals("ok")) {
                    throw new IllegalStateException("the 202 answer does not follow the contract: " + contract);
                }
                if (records == null) {
                    break;
                }
                JsonNode result = JSON.readTree(outcome.body()).path("results").get(0);
                written = records.read(
                        result.path("partition").asInt(), result.path("offset").asLong());
                if (!written.value().contains(id)) {
                    throw new IllegalStateException("the record at the answered partition/offset does not carry id "
                            + id + ": " + PhaseResult.abbreviate(written.value()));
                }
                if (written.valueBytes() == target) {
                    break;
                }
                pad += target - written.valueBytes();
                if (pad < 0) {
                    throw new IllegalStateException("Sluice's record is larger than " + target + " bytes even with no"
                            + " payload: " + written.valueBytes() + " bytes");
                }
            }
            EventFactory events = new EventFactory(pad, keys, System.nanoTime());
            byte[] body = events.single();
            RequestOptions batch = runner.options(EventFactory.BATCH_CONTENT_TYPE);
            byte[] batchBody = events.batch(batchSize);
            Outcome batchOutcome = runner.postAndWait(batch, batchBody);
            String batchContract = batchOutcome.status() == 202
                    ? PhaseResult.checkContract(batchOutcome.body(), batchSize)
                    : "status " + batchOutcome.status() + ": " + PhaseResult.abbreviate(batchOutcome.body());

            out.put("probe.pad", Integer.toString(pad));
            out.put("probe.keys", Integer.toString(keys));
            out.put("probe.body_bytes", Integer.toString(body.length));
            out.put("probe.request_bytes", Integer.toString(runner.wireBytes(single, body.length)));
            out.put("probe.batch_size", Integer.toString(batchSize));
            out.put("probe.batch_body_bytes", Integer.toString(batchBody.length));
            out.put("probe.batch_request_bytes", Integer.toString(runner.wireBytes(batch, batchBody.length)));
            out.put("probe.batch_contract", batchContract);
            if (written != null) {
                out.put("probe.record_source", "read back from " + topic);
                out.put("probe.record_value_bytes", Integer.toString(written.valueBytes()));
                out.put("probe.record_key_bytes", Integer.toString(written.keyBytes()));
                out.put("probe.record_header_bytes", Integer.toString(written.headerBytes()));
                out.put("probe.record_headers", String.join(" ", written.headerNames()));
            } else {
                out.put("probe.record_source", "assumed equal to the request body (no --kafka)");
                out.put("probe.record_value_bytes", Integer.toString(body.length));
            }
        }
        out.forEach((k, v) -> System.out.println(k.substring("probe.".length()) + ": " + v));
        if (!out.get("probe.batch_contract").equals("ok")) {
            throw new IllegalStateException("a " + batchSize + "-event batch was not accepted as the contract says: "
                    + out.get("probe.batch_contract"));
        }
        if (Integer.parseInt(out.get("probe.record_value_bytes")) != target) {
            System.out.println(
                    "warning: record value is " + out.get("probe.record_value_bytes") + " bytes, not " + target);
        }
        return out;
    }
}
