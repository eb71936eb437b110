package io.sluice.reconcile;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Clients that hang up while their 202 is pending, as load tools and shippers do when they
 * stop: what Kafka acknowledged is counted all the same, so once the minutes settle the drift
 * is exactly 0 in every one of them, and "answered" is a separate figure (counted when the
 * answer is made, it missed events acknowledged after their client had gone). Rows then
 * deleted behind Sluice's back show as exactly that drift, in their own minutes.
 * {@code AnswerCrashIT} makes "acknowledged but never answered" happen for certain.
 */
@QuarkusTest
class HangUpReconcileTest {

    private static final int ROUNDS = 20;
    private static final int CLIENTS = 10;
    private static final int EVENTS_PER_REQUEST = 10;
    private static final int EVENTS = ROUNDS * CLIENTS * EVENTS_PER_REQUEST;
    /** A minute settles once it has ended, the records are read and the append delay passed. */
    private static final Duration SETTLED = Duration.ofSeconds(150);

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "hang-up-" + run;

    @Test
    void acknowledgedEventsAreCountedWhetherOrNotTheClientWaitedForItsAnswer() throws Exception {
        String key = TestCredentials.createKey(app, tenant, "ingest", "admin");
        Instant from = Instant.now();
        int waitedFor = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Socket> pending = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                Socket socket = new Socket(app.getHost(), app.getPort());
                socket.getOutputStream().write(request(key, round * CLIENTS + client));
                socket.getOutputStream().flush();
                pending.add(socket);
            }
            for (int client = 0; client < CLIENTS; client++) {
                try (Socket socket = pending.get(client)) {
                    // Every other client hangs up without reading its answer.
                    if (client % 2 == 0) {
                        assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 202");
                        waitedFor += EVENTS_PER_REQUEST;
                    }
                }
            }
        }
        // A request whose client hung up may never have been read (nothing sent), or may have been
        // acknowledged after the hang-up (stored, never answered): both happen here, in varying
        // numbers. Whatever happened, what was acknowledged is exactly what is stored.
        JsonPath settled = settledReconcile(key, from);
        long acknowledged = settled.getLong("total.accepted");
        assertThat(acknowledged).as("acknowledged by Kafka").isBetween((long) waitedFor, (long) EVENTS);
        assertThat(rows()).isEqualTo(acknowledged);
        assertThat(settled.getLong("total.stored")).isEqualTo(acknowledged);
        assertThat(settled.getList("minutes.drift", Long.class)).containsOnly(0L);
        assertThat(settled.getLong("unexplainedDrift")).isZero();
        assertThat(settled.getLong("total.answered"))
                .as("answered: those who waited, and hung-up clients whose answer was made before the hang-up")
                .isBetween((long) waitedFor, acknowledged);

        String metrics =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .as("the settled minutes are recent")
                .containsPattern("(?m)^sluice_reconcile_open_seconds [0-9]{1,3}\\.[0-9]+$");

        Map<String, Long> deleted = deleteRows(7);
        JsonPath afterDeletes = reconcile(key, from);
        Map<String, Long> drift = new HashMap<>();
        for (Map<String, Object> minute : afterDeletes.<Map<String, Object>>getList("minutes")) {
            long value = ((Number) minute.get("drift")).longValue();
            if (value != 0) {
                drift.put((String) minute.get("minute"), value);
            }
        }
        assertThat(drift).as("drift per minute: the rows deleted in it").isEqualTo(deleted);
        assertThat(afterDeletes.getLong("total.drift")).isEqualTo(7);
        assertThat(afterDeletes.getLong("unexplainedDrift")).isEqualTo(7);
    }

    /** A batch request, ids {@code tenant-n-0} to {@code tenant-n-9}, written out by hand. */
    private byte[] request(String key, int n) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            body.append(i == 0 ? "" : ",")
                    .append("{\"specversion\":\"1.0\",\"id\":\"e-")
                    .append(n)
                    .append('-')
                    .append(i)
                    .append("\",\"source\":\"/hang-up-test\",\"type\":\"hang.up\",\"subject\":\"s-")
                    .append(i % 4)
                    .append("\",\"data\":{\"n\":")
                    .append(i)
                    .append("}}");
        }
        byte[] json = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/events HTTP/1.1\r\nHost: " + app.getHost() + "\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/cloudevents-batch+json\r\nContent-Length: " + json.length
                + "\r\nConnection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + json.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(json, 0, request, headBytes.length, json.length);
        return request;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** The reconciliation once every minute of the run is settled. */
    private JsonPath settledReconcile(String key, Instant from) {
        await().atMost(SETTLED).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonPath answer = reconcile(key, from);
            return !answer.getList("minutes").isEmpty()
                    && !answer.getList("minutes.settled", Boolean.class).contains(false);
        });
        return reconcile(key, from);
    }

    private JsonPath reconcile(String key, Instant from) {
        return anonymous()
                .header("Authorization", "Bearer " + key)
                .get("/v1/admin/reconcile?from=" + from + "&to=" + Instant.now().plusSeconds(60))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private long rows() throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE tenant = ?", tenant);
    }

    /** Deletes {@code count} rows, spread over the run; how many went from each minute. */
    private Map<String, Long> deleteRows(int count) throws Exception {
        Map<String, Long> perMinute = new HashMap<>();
        try (Connection db = TestDatabase.connect();
                var delete = db.prepareStatement("DELETE FROM events WHERE tenant = ? AND event_id IN"
                        + " (SELECT event_id FROM (SELECT event_id, row_number() OVER (ORDER BY accepted_at, event_id)"
                        + " AS n FROM events WHERE tenant = ?) run WHERE n % 300 = 1 LIMIT ?)"
                        + " RETURNING date_trunc('minute', accepted_at)")) {
            delete.setString(1, tenant);
            delete.setString(2, tenant);
            delete.setInt(3, count);
            try (var minutes = delete.executeQuery()) {
                while (minutes.next()) {
                    perMinute.merge(minutes.getTimestamp(1).toInstant().toString(), 1L, Long::sum);
                }
            }
        }
        assertThat(perMinute.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(count);
        return perMinute;
    }
}
