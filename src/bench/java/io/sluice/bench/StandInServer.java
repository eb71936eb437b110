package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in for {@code POST /v1/events} that answers as the contract says without Kafka: the
 * driver's self-check. It can answer after a fixed delay and hold every answer during a pause,
 * which is how the tests see that the open loop measures stalls instead of omitting them.
 */
final class StandInServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final HttpServer server;
    private final long delayMillis;
    private volatile long pausedUntilNanos;
    private long offset;

    private StandInServer(Vertx vertx, HttpServer server, long delayMillis) {
        this.vertx = vertx;
        this.server = server;
        this.delayMillis = delayMillis;
    }

    static StandInServer start(long delayMillis) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        StandInServer[] self = new StandInServer[1];
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> self[0].handle(request))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        self[0] = new StandInServer(vertx, server, delayMillis);
        return self[0];
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1/events";
    }

    /** Holds every answer (already received or arriving) until {@code millis} from now. */
    void pause(long millis) {
        pausedUntilNanos = System.nanoTime() + millis * 1_000_000;
    }

    /** Where the stand-in answers as a Strimzi Kafka Bridge would: {@code POST /topics/<topic>}. */
    String bridgeUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/topics/stand-in";
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == io.vertx.core.http.HttpMethod.POST
                && request.path().startsWith("/topics/")) {
            handleBridge(request);
            return;
        }
        if (request.method() != io.vertx.core.http.HttpMethod.POST
                || !request.path().equals("/v1/events")) {
            request.response().setStatusCode(404).end();
            return;
        }
        long arrived = System.nanoTime();
        request.body().onSuccess(body -> {
            int count;
            String type = request.getHeader("content-type");
            try {
                // Like Sluice, it takes gzip'd bodies (the driver's batch-gzip phase).
                JsonNode root = "gzip".equals(request.getHeader("content-encoding"))
                        ? JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(body.getBytes())))
                        : JSON.readTree(body.getBytes());
                count = type != null && type.startsWith(EventFactory.BATCH_CONTENT_TYPE) ? root.size() : 1;
            } catch (IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            StringBuilder answer =
                    new StringBuilder("{\"accepted\":").append(count).append(",\"results\":[");
            for (int i = 0; i < count; i++) {
                answer.append(i == 0 ? "" : ",")
                        .append("{\"index\":")
                        .append(i)
                        .append(",\"status\":202,\"partition\":")
                        .append(i % 6)
                        .append(",\"offset\":")
                        .append(offset++)
                        .append('}');
            }
            answer.append("]}");
            answerLater(request, 202, answer.toString(), arrived + delayMillis * 1_000_000);
        });
    }

    /** The bridge's produce answer: 200 and one partition and offset per record. */
    private void handleBridge(HttpServerRequest request) {
        long arrived = System.nanoTime();
        request.body().onSuccess(body -> {
            JsonNode records;
            try {
                records = JSON.readTree(body.getBytes()).path("records");
            } catch (IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            StringBuilder answer = new StringBuilder("{\"offsets\":[");
            for (int i = 0; i < records.size(); i++) {
                answer.append(i == 0 ? "" : ",")
                        .append("{\"partition\":")
                        .append(i % 6)
                        .append(",\"offset\":")
                        .append(offset++)
                        .append('}');
            }
            answer.append("]}");
            answerLater(request, 200, answer.toString(), arrived + delayMillis * 1_000_000);
        });
    }

    private void answerLater(HttpServerRequest request, int status, String answer, long dueNanos) {
        long wait = (Math.max(dueNanos, pausedUntilNanos) - System.nanoTime()) / 1_000_000;
        if (wait <= 0) {
            request.response()
                    .setStatusCode(status)
                    .putHeader("content-type", "application/json")
                    .end(answer);
        } else {
            vertx.setTimer(wait, id -> answerLater(request, status, answer, dueNanos));
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
