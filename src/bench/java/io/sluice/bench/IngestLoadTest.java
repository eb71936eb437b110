package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.LoadRunner.Request;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The load driver measures what it claims to measure: checked against a stand-in server. */
class IngestLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsHaveOneSizeUniqueIdsAndTheRequiredAttributes() throws Exception {
        EventFactory events = new EventFactory(300, 1000, 42);
        Set<String> ids = new HashSet<>();
        int size = -1;
        for (int i = 0; i < 2000; i++) {
            byte[] event = events.single();
            if (size < 0) {
                size = event.length;
            }
            assertThat(event).hasSize(size);
            JsonNode node = JSON.readTree(event);
            for (String attribute : new String[] {"specversion", "id", "source", "type", "subject", "time"}) {
                assertThat(node.path(attribute).asText()).as(attribute).isNotEmpty();
            }
            assertThat(ids.add(node.get("id").asText())).isTrue();
        }
        JsonNode batch = JSON.readTree(events.batch(100));
        assertThat(batch.size()).isEqualTo(100);
        assertThat(ids.add(batch.get(0).get("id").asText())).isTrue();
    }

    @Test
    void reportedRequestSizeIsWhatTheServerReceives() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> readOneRequest(socket));
            URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1/events");
            try (LoadRunner runner = new LoadRunner(url, "secret-token", 1)) {
                RequestOptions options = runner.options(EventFactory.SINGLE_CONTENT_TYPE);
                byte[] body = new EventFactory(300, 10, 1).single();
                assertThat(runner.postAndWait(options, body).status()).isEqualTo(202);
                assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(runner.wireBytes(options, body.length));
            }
        }
    }

    @Test
    void openLoopCountsAStallAgainstEveryRequestThatShouldHaveBeenSent() throws Exception {
        try (StandInServer server = StandInServer.start(0);
                LoadRunner runner = new LoadRunner(URI.create(server.url()), null, 8)) {
            EventFactory events = new EventFactory(100, 10, 1);
            PhaseResult result = new PhaseResult("open", "test");
            // The driver itself stalls for 300 ms (as in a GC pause): the requests it should have
            // sent meanwhile go out late, and only timing from the intended send time sees that.
            CompletableFuture.delayedExecutor(1300, TimeUnit.MILLISECONDS)
                    .execute(() -> runner.onLoop(() -> sleep(300)));
            runner.openLoop(
                    result,
                    runner.options(EventFactory.SINGLE_CONTENT_TYPE),
                    () -> new Request(events.single(), 1),
                    1000,
                    Duration.ofMillis(300),
                    Duration.ofSeconds(2),
                    Map.of());
            // 300 of the 2000 requests fall into the stall, late by up to 300 ms.
            assertThat(result.requests).isBetween(1990L, 2010L);
            assertThat(result.percentileMillis(99)).isGreaterThan(200);
            assertThat(result.percentileMillis(90)).isGreaterThan(50);
            assertThat(result.maxSendLagMicros).isGreaterThan(250_000);
            assertThat(result.non2xx() + result.errors).isZero();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closedLoopTimesEachRequestAndCountsBatchEvents() throws Exception {
        try (StandInServer server = StandInServer.start(5);
                LoadRunner runner = new LoadRunner(URI.create(server.url()), null, 4)) {
            EventFactory events = new EventFactory(100, 10, 1);
            PhaseResult result = new PhaseResult("batch", "test");
            runner.closedLoop(
                    result,
                    runner.options(EventFactory.BATCH_CONTENT_TYPE),
                    () -> new Request(events.batch(100), 100),
                    4,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(1),
                    Map.of());
            assertThat(result.percentileMillis(50)).isGreaterThanOrEqualTo(5);
            // 4 connections, each answer at least 5 ms late: at most 800 requests in a second.
            assertThat(result.requests).isBetween(10L, 800L);
            assertThat(result.events).isEqualTo(100 * result.requests);
            assertThat(result.contract).isEqualTo("ok");
        }
    }

    @Test
    void bridgePhaseCountsTheBridgesAnswersAndTheTimelineSumsToTheTotal() throws Exception {
        try (StandInServer server = StandInServer.start(2);
                LoadRunner runner = new LoadRunner(URI.create(server.bridgeUrl()), null, 2)) {
            EventFactory events = new EventFactory(100, 10, 1);
            JsonNode records = JSON.readTree(events.bridgeBatch(3)).path("records");
            assertThat(records.size()).isEqualTo(3);
            assertThat(records.get(0).path("key").asText()).startsWith("device-");
            assertThat(records.get(0).path("value").path("id").asText()).isNotEmpty();

            PhaseResult result = new PhaseResult("bridge", "test");
            result.bridge = true;
            Duration warmup = Duration.ofMillis(200);
            result.timeline = new Timeline(System.nanoTime() + warmup.toNanos());
            runner.closedLoop(
                    result,
                    runner.options(EventFactory.BRIDGE_CONTENT_TYPE),
                    () -> new Request(events.bridgeBatch(50), 50),
                    2,
                    warmup,
                    Duration.ofMillis(2500),
                    Map.of());
            assertThat(result.statuses).containsOnlyKeys(200);
            assertThat(result.events).isEqualTo(50 * result.requests).isPositive();
            // Every event counted in the phase is in exactly one second of its timeline.
            long inTimeline = result.timeline.csvLines().stream()
                    .skip(1)
                    .mapToLong(line -> Long.parseLong(line.split(",")[1]))
                    .sum();
            assertThat(inTimeline).isEqualTo(result.events);
            assertThat(result.timeline.csvLines()).hasSizeBetween(3, 5);
        }
    }

    /** Reads one HTTP/1.1 request (headers, then content-length bytes), answers 202 and returns its size. */
    private static int readOneRequest(ServerSocket server) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.read());
            }
            String headers = head.toString(StandardCharsets.US_ASCII);
            int length = headers.lines()
                    .filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .mapToInt(l -> Integer.parseInt(l.substring(15).trim()))
                    .findFirst()
                    .orElseThrow();
            in.readNBytes(length);
            socket.getOutputStream()
                    .write("HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            return head.size() + length;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSelfCheckFailsOnAnyAnswerTheStandInWouldNotGive() {
        IngestLoad.selfCheck(Map.of("single.non2xx", "0", "single.errors", "0", "single.contract", "ok"));
        for (Map<String, String> failed : List.of(
                Map.of("single.non2xx", "3"),
                Map.of("batch.errors", "1"),
                Map.of("batch.contract", "accepted is not 100: {}"))) {
            assertThatThrownBy(() -> IngestLoad.selfCheck(failed))
                    .as(failed.toString())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("self-check failed");
        }
    }
}
