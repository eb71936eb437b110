package io.sluice.alerts;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading is cut off with a final event once its buffer has stayed full
 * for {@code max-stall}, and a client beside it that reads gets every alert. Before the buffer
 * fills, the kernel's socket buffers take a few megabytes (the server's send buffer grows up to
 * {@code net.ipv4.tcp_wmem}'s maximum, 4 MiB by default): hence alerts of about 1.5 KB (long
 * sources and ids, which the alert's details repeat) and 4,000 of them.
 */
@QuarkusTest
@TestProfile(SlowStreamClientTest.SmallBuffers.class)
class SlowStreamClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ALERTS = 4_000;
    private static final Duration MAX_STALL = Duration.ofSeconds(2);

    @TestHTTPResource("/v1/alerts/stream")
    URI stream;

    private final String type = "slow-client-test-" + UUID.randomUUID();

    @Test
    void aClientThatStopsReadingIsCutOffAndTheOthersGetEveryAlert() throws Exception {
        String rule = given().contentType("application/json")
                .body("{\"name\":\"slow\",\"kind\":\"threshold\",\"type\":\"" + type
                        + "\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}")
                .post("/v1/rules")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("id");
        try (Socket slow = new Socket();
                SseClient reader = new SseClient(URI.create(stream + "?rule=" + rule), null)) {
            slow.setReceiveBufferSize(2048);
            slow.connect(new InetSocketAddress(stream.getHost(), stream.getPort()));
            OutputStream request = slow.getOutputStream();
            request.write(("GET " + stream.getPath() + "?rule=" + rule + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "Accept: text/event-stream\r\nAuthorization: Bearer " + TestCredentials.defaultKey(stream)
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            Thread.sleep(1_000);

            for (int from = 0; from < ALERTS; from += 500) {
                post(from, 500);
            }
            List<SseClient.Event> received = reader.take(ALERTS, Duration.ofSeconds(240));
            assertThat(received).hasSize(ALERTS);
            assertThat(received).allSatisfy(event -> assertThat(event.name()).isEqualTo("firing"));

            // The slow client still reads nothing: its buffer stays full past the stall limit
            // (2 s, checked every 500 ms), however quickly the alerts came.
            Thread.sleep(MAX_STALL.plusSeconds(2).toMillis());
            // Now read what the slow client was sent: it ends, and ends with the cut-off.
            slow.setSoTimeout(10_000);
            String everything = readToEnd(slow.getInputStream(), Duration.ofSeconds(60));
            // "event:" may or may not be followed by a space (both are SSE)
            String events = everything.replace("event: ", "event:");
            assertThat(events).contains("event:cut-off");
            assertThat(events.substring(events.lastIndexOf("event:"))).startsWith("event:cut-off");
            long alertsSent =
                    events.lines().filter(line -> line.equals("event:firing")).count();
            assertThat(alertsSent).isLessThan(ALERTS);
        } finally {
            given().delete("/v1/rules/" + rule).then().statusCode(204);
        }
    }

    private void post(int from, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = from; i < from + count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", UUID.randomUUID() + "-" + "i".repeat(400))
                    .put("source", "/slow-client-test/" + "s".repeat(900))
                    .put("type", type)
                    .put("subject", "subject-" + i);
            event.putObject("data").put("v", 1);
        }
        given().contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    /**
     * Everything until the response ends (the last chunk of a chunked response: the connection
     * itself may stay open for the next request) or the server closes the connection; a stream
     * still going after {@code atMost} fails the test.
     */
    private static String readToEnd(InputStream in, Duration atMost) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + atMost.toNanos();
        String tail = "";
        int read;
        while ((read = in.read(buffer)) >= 0) {
            all.write(buffer, 0, read);
            tail = tail + new String(buffer, Math.max(0, read - 16), Math.min(read, 16), StandardCharsets.ISO_8859_1);
            tail = tail.substring(Math.max(0, tail.length() - 16));
            if (tail.endsWith("\r\n0\r\n\r\n")) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the slow client's stream was not closed within " + atMost);
            }
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    public static class SmallBuffers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.alerts.stream.buffer", "16", "sluice.alerts.stream.max-stall", MAX_STALL.toString());
        }
    }
}
