package io.sluice.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A well-behaved upstream system under faults: sends events with unique ids in batches, at an
 * even pace, to whichever gateway replicas exist right now; retries what was not acknowledged
 * (503, 429, no answer) with the same ids until it is, or until it gives up; and re-posts a
 * tenth of its batches as retrying clients do — half of them twice at once, half again after
 * the acknowledgement. Records every attempt in the {@link Ledger}.
 */
final class ProofClient {

    private static final int WORKERS = 8;
    private static final int BATCH = 100;
    /** Above the gateway's own acknowledgement timeout: the gateway answers first. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);

    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(3);
    private static final long MAX_RETRY_PAUSE_MS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<List<URI>> endpoints;
    private final String key;
    private final String source;
    private final String idPrefix;
    private final Ledger ledger;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final AtomicLong requests = new AtomicLong();
    private final ConcurrentLinkedQueue<String> strangeAnswers = new ConcurrentLinkedQueue<>();

    ProofClient(Supplier<List<URI>> endpoints, String key, String source, String idPrefix, Ledger ledger) {
        this.endpoints = endpoints;
        this.key = key;
        this.source = source;
        this.idPrefix = idPrefix;
        this.ledger = ledger;
    }

    /** Answers other than 2xx, 207, 429 and 503: each one is a defect of the gateway. */
    List<String> strangeAnswers() {
        return List.copyOf(strangeAnswers);
    }

    /**
     * Sends {@code events} new events spread evenly over {@code duration}, and returns once each
     * one is acknowledged or given up.
     */
    void run(int events, Duration duration) throws InterruptedException, ExecutionException {
        int batches = (events + BATCH - 1) / BATCH;
        long interval = duration.toNanos() / batches;
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        ExecutorService twins = Executors.newCachedThreadPool();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                running.add(workers.submit(() -> {
                    for (int batch = next.getAndIncrement(); batch < batches; batch = next.getAndIncrement()) {
                        sleepUntil(start + batch * interval);
                        send(batch, ids(batch, events), twins);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            workers.shutdownNow();
            twins.shutdownNow();
            workers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private List<String> ids(int batch, int events) {
        List<String> ids = new ArrayList<>(BATCH);
        for (int n = batch * BATCH; n < Math.min(events, (batch + 1) * BATCH); n++) {
            ids.add(idPrefix + n);
        }
        return ids;
    }

    private void send(int batch, List<String> ids, ExecutorService twins) throws Exception {
        ledger.sending(ids);
        if (batch % 20 == 0) {
            // The same request twice at once, as from a client whose first try seemed lost.
            ledger.reposted(ids.size());
            Future<?> twin = twins.submit(() -> deliver(ids));
            deliver(ids);
            twin.get();
        } else {
            deliver(ids);
            if (batch % 20 == 10) {
                // Again after the acknowledgement, as from a client that lost the answer.
                ledger.reposted(ids.size());
                deliver(ids);
            }
        }
    }

    /** Posts {@code ids} until every one is acknowledged, or gives up on the rest. */
    private void deliver(List<String> ids) {
        List<String> pending = ids;
        long giveUp = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        while (!pending.isEmpty() && !Thread.currentThread().isInterrupted()) {
            if (System.nanoTime() > giveUp) {
                ledger.abandoned(pending.size());
                return;
            }
            List<URI> targets = endpoints.get();
            if (targets.isEmpty()) {
                // Every replica is down (a full bounce): wait for one, as behind a load balancer.
                pause(250);
                continue;
            }
            URI target = targets.get((int) (requests.getAndIncrement() % targets.size()));
            long started = System.nanoTime();
            long pauseMs = 250;
            int status = Ledger.NO_ANSWER;
            try {
                HttpResponse<String> answer = http.send(request(target, pending), HttpResponse.BodyHandlers.ofString());
                status = answer.statusCode();
                if (status == 202) {
                    pending.forEach(ledger::acknowledged);
                    pending = List.of();
                } else if (status == 207) {
                    pending = notAcknowledged(answer.body(), pending);
                } else if (status == 503 || status == 429) {
                    pauseMs = retryAfterMs(answer);
                } else {
                    strangeAnswers.add(status + " " + answer.body());
                }
            } catch (IOException noAnswer) {
                // timeout, refused or reset: the gateway may or may not have the events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ledger.answered(started, System.nanoTime(), status);
            if (!pending.isEmpty()) {
                pause(pauseMs);
            }
        }
    }

    private HttpRequest request(URI target, List<String> ids) {
        StringBuilder body = new StringBuilder("[");
        for (String id : ids) {
            if (body.length() > 1) {
                body.append(',');
            }
            body.append("{\"specversion\":\"1.0\",\"id\":\"")
                    .append(id)
                    .append("\",\"source\":\"")
                    .append(source)
                    .append("\",\"type\":\"proof.event\",\"subject\":\"s-")
                    .append(Math.floorMod(id.hashCode(), 64))
                    .append("\",\"data\":{\"id\":\"")
                    .append(id)
                    .append("\"}}");
        }
        return HttpRequest.newBuilder(target.resolve("/v1/events"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/cloudevents-batch+json")
                .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString()))
                .build();
    }

    /** Marks the 202 results of a 207 acknowledged; the others are still to be sent. */
    private List<String> notAcknowledged(String body, List<String> pending) throws IOException {
        JsonNode results = JSON.readTree(body).path("results");
        if (results.size() != pending.size()) {
            strangeAnswers.add("207 without a result per event: " + body);
            return pending;
        }
        List<String> left = new ArrayList<>();
        for (JsonNode result : results) {
            String id = result.path("id").asText();
            if (result.path("status").asInt() == 202) {
                ledger.acknowledged(id);
            } else {
                left.add(id);
            }
        }
        return left;
    }

    private static long retryAfterMs(HttpResponse<String> answer) {
        return answer.headers()
                .firstValue("Retry-After")
                .map(seconds -> Math.min(MAX_RETRY_PAUSE_MS, Long.parseLong(seconds.strip()) * 1_000))
                .orElse(500L);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
