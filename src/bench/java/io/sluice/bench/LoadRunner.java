package io.sluice.bench;

import io.sluice.bench.PhaseResult.Outcome;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives POSTs from one Vert.x event loop over a pool of HTTP/1.1 keep-alive connections
 * (no pipelining). Everything — sending, timing, recording — happens on that one thread, so
 * the histograms need no locking and the driver takes at most one of the machine's cores.
 */
final class LoadRunner implements AutoCloseable {

    /** What to send: a body and how many events it carries. */
    record Request(byte[] body, int events) {}

    /**
     * What an open loop sends next, told whether the request falls in the measured window, so
     * one loop can run the warm-up and the window back to back with different events.
     */
    interface Requests {
        Request next(boolean measured);

        /** Runs on the driver's loop just before the window's first request is sent. */
        default void measuring() {}
    }

    private static final long REQUEST_TIMEOUT_MS = 60_000;

    private final Vertx vertx;
    private final HttpClient client;
    private final Context context;
    private final String host;
    private final int port;
    private final String path;
    private final String token;

    LoadRunner(URI url, String token, int connections) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : 80;
        this.path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/v1/events" : url.getRawPath();
        this.token = token;
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost(host)
                        .setDefaultPort(port)
                        .setKeepAlive(true)
                        .setPipelining(false)
                        .setTcpNoDelay(true),
                // An unbounded wait queue: in the open loop, a request that waits for a free
                // connection is late, and that lateness must be measured, not refused.
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        this.context = vertx.getOrCreateContext();
    }

    RequestOptions options(String contentType) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", contentType);
        if (token != null && !token.isEmpty()) {
            headers.add("authorization", "Bearer " + token);
        }
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setURI(path)
                .setHeaders(headers)
                .setIdleTimeout(REQUEST_TIMEOUT_MS);
    }

    /**
     * The exact bytes of one request on the wire: request line, the headers Vert.x sends
     * (ours, then host and content-length) and the body. {@code IngestLoadTest} checks this
     * against what a raw socket receives.
     */
    int wireBytes(RequestOptions options, int bodyLength) {
        int size = ("POST " + path + " HTTP/1.1\r\n").length();
        for (var header : options.getHeaders()) {
            size += header.getKey().length() + 2 + header.getValue().length() + 2;
        }
        size += ("host: " + host + ":" + port + "\r\n").length();
        size += ("content-length: " + bodyLength + "\r\n").length();
        return size + 2 + bodyLength;
    }

    Future<Outcome> post(RequestOptions options, byte[] body) {
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body()
                        .map(b -> new Outcome(response.statusCode(), b.toString(StandardCharsets.UTF_8))));
    }

    /** One request, waited for (probes, not load). */
    Outcome postAndWait(RequestOptions options, byte[] body) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        context.runOnContext(v -> post(options, body).onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        return done.get(REQUEST_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
    }

    /**
     * {@code concurrency} workers, each sending its next request as soon as the previous
     * answer arrived. Counts requests that complete inside the measured window.
     */
    PhaseResult closedLoop(
            PhaseResult result,
            RequestOptions options,
            Supplier<Request> requests,
            int concurrency,
            Duration warmup,
            Duration duration,
            Map<String, Long> watch)
            throws Exception {
        CompletableFuture<PhaseResult> done = new CompletableFuture<>();
        context.runOnContext(
                v -> new ClosedLoop(result, options, requests, concurrency, warmup, duration, watch, done).start());
        return done.get(warmup.plus(duration).toMillis() + REQUEST_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
    }

    /**
     * Requests at a fixed rate, each timed from its intended send time, so a stall in the
     * server (or in the driver) shows in the latencies instead of silently lowering the rate
     * (no coordinated omission).
     */
    PhaseResult openLoop(
            PhaseResult result,
            RequestOptions options,
            Supplier<Request> requests,
            double ratePerSecond,
            Duration warmup,
            Duration duration,
            Map<String, Long> watch)
            throws Exception {
        return openLoop(result, options, measured -> requests.get(), ratePerSecond, warmup, duration, watch);
    }

    /** An open loop whose requests may differ between the warm-up and the measured window. */
    PhaseResult openLoop(
            PhaseResult result,
            RequestOptions options,
            Requests requests,
            double ratePerSecond,
            Duration warmup,
            Duration duration,
            Map<String, Long> watch)
            throws Exception {
        CompletableFuture<PhaseResult> done = new CompletableFuture<>();
        context.runOnContext(
                v -> new OpenLoop(result, options, requests, ratePerSecond, warmup, duration, watch, done).start());
        return done.get(warmup.plus(duration).toMillis() + REQUEST_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the driver's event loop (tests use it to stall the driver). */
    void onLoop(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    /**
     * Meters CPU over the measured window. The loop that ends first — the timer or the load —
     * takes the reading, so a closed loop that drains quickly still reports its CPU.
     */
    private Runnable meterWindow(PhaseResult result, Duration warmup, Duration duration, Map<String, Long> watch) {
        if (!CpuMeter.available()) {
            return () -> {};
        }
        Map<String, Long> pids = new java.util.LinkedHashMap<>(watch);
        pids.put("driver", ProcessHandle.current().pid());
        CpuMeter meter = new CpuMeter(
                pids, watch.containsKey("sluice") ? "sluice" : watch.containsKey("bridge") ? "bridge" : null);
        boolean[] started = {false};
        Runnable stop = () -> {
            if (started[0] && result.cpu == null) {
                result.cpu = meter.stop();
            }
        };
        vertx.setTimer(Math.max(1, warmup.toMillis()), id -> {
            meter.start();
            started[0] = true;
        });
        vertx.setTimer(Math.max(2, warmup.plus(duration).toMillis()), id -> stop.run());
        return stop;
    }

    private final class ClosedLoop {
        private final PhaseResult result;
        private final RequestOptions options;
        private final Supplier<Request> requests;
        private final int concurrency;
        private final Duration warmup;
        private final Duration duration;
        private final Map<String, Long> watch;
        private final CompletableFuture<PhaseResult> done;
        private long measureStart;
        private long measureEnd;
        private int active;
        private Runnable stopMeter;

        ClosedLoop(
                PhaseResult result,
                RequestOptions options,
                Supplier<Request> requests,
                int concurrency,
                Duration warmup,
                Duration duration,
                Map<String, Long> watch,
                CompletableFuture<PhaseResult> done) {
            this.result = result;
            this.options = options;
            this.requests = requests;
            this.concurrency = concurrency;
            this.warmup = warmup;
            this.duration = duration;
            this.watch = watch;
            this.done = done;
        }

        void start() {
            long now = System.nanoTime();
            measureStart = now + warmup.toNanos();
            measureEnd = measureStart + duration.toNanos();
            result.seconds = duration.toNanos() / 1e9;
            stopMeter = meterWindow(result, warmup, duration, watch);
            active = concurrency;
            for (int i = 0; i < concurrency; i++) {
                next();
            }
        }

        private void next() {
            long start = System.nanoTime();
            if (start >= measureEnd) {
                if (--active == 0) {
                    stopMeter.run();
                    done.complete(result);
                }
                return;
            }
            Request request = requests.get();
            post(options, request.body()).onComplete(ar -> {
                long end = System.nanoTime();
                if (end >= measureStart && end < measureEnd) {
                    result.record(ar, end - start, request.events());
                } else if (end >= measureEnd && result.afterWindow != null) {
                    result.afterWindow.record(ar, end - start, request.events());
                }
                if (ar.failed()) {
                    // A refused connection fails at once: do not spin on it.
                    vertx.setTimer(10, id -> next());
                } else {
                    next();
                }
            });
        }
    }

    private final class OpenLoop {
        private final PhaseResult result;
        private final RequestOptions options;
        private final Requests requests;
        private final double intervalNanos;
        private final Duration warmup;
        private final Duration duration;
        private final Map<String, Long> watch;
        private final CompletableFuture<PhaseResult> done;
        private long start;
        private long measureStart;
        private long end;
        private long next;
        private long inFlight;
        private boolean scheduling = true;
        private boolean windowOpen;
        private long timer;
        private Runnable stopMeter;

        OpenLoop(
                PhaseResult result,
                RequestOptions options,
                Requests requests,
                double ratePerSecond,
                Duration warmup,
                Duration duration,
                Map<String, Long> watch,
                CompletableFuture<PhaseResult> done) {
            this.result = result;
            this.options = options;
            this.requests = requests;
            this.intervalNanos = 1e9 / ratePerSecond;
            this.warmup = warmup;
            this.duration = duration;
            this.watch = watch;
            this.done = done;
        }

        void start() {
            start = System.nanoTime();
            measureStart = start + warmup.toNanos();
            end = measureStart + duration.toNanos();
            next = start;
            result.seconds = duration.toNanos() / 1e9;
            stopMeter = meterWindow(result, warmup, duration, watch);
            timer = vertx.setPeriodic(1, id -> tick());
            tick();
        }

        private void tick() {
            long now = System.nanoTime();
            while (scheduling) {
                long intended = next;
                if (intended >= end) {
                    scheduling = false;
                    vertx.cancelTimer(timer);
                    finishIfDrained();
                    return;
                }
                if (intended > now) {
                    return;
                }
                next += intervalAt(intended);
                inFlight++;
                boolean measured = intended >= measureStart;
                if (measured) {
                    if (!windowOpen) {
                        windowOpen = true;
                        requests.measuring();
                    }
                    result.maxSendLagMicros = Math.max(result.maxSendLagMicros, (now - intended) / 1000);
                }
                Request request = requests.next(measured);
                post(options, request.body()).onComplete(ar -> completed(ar, intended, measured, request));
            }
        }

        /**
         * The warm-up ramps the rate up from a tenth: started cold at full rate, a fresh JVM
         * (the driver's, or a just-started Sluice) builds a backlog while it compiles, and
         * the backlog outlasts a short warm-up.
         */
        private long intervalAt(long time) {
            if (time >= measureStart) {
                return (long) intervalNanos;
            }
            double share = Math.max(0.1, (time - start) / (double) (measureStart - start));
            return (long) (intervalNanos / share);
        }

        private void completed(AsyncResult<Outcome> ar, long intended, boolean measured, Request request) {
            inFlight--;
            if (measured) {
                result.record(ar, System.nanoTime() - intended, request.events());
            }
            finishIfDrained();
        }

        private void finishIfDrained() {
            if (!scheduling && inFlight == 0) {
                stopMeter.run();
                done.complete(result);
            }
        }
    }

    @Override
    public void close() throws Exception {
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
