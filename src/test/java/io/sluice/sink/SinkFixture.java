package io.sluice.sink;

import static io.sluice.testing.Http.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.testing.LocalStackResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * What the sink tests need from the outside: events to post, and direct looks at PostgreSQL
 * and Redis that bypass the proxies the tests cut. Every test works under a source of its own.
 */
final class SinkFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String source = "/sink-test/" + UUID.randomUUID();

    List<ObjectNode> events(int count) {
        List<ObjectNode> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode event = JSON.createObjectNode()
                    .put("specversion", "1.0")
                    .put("id", "event-" + i)
                    .put("source", source)
                    .put("type", "sink.test")
                    .put("subject", "subject-" + (i % 7))
                    .put("time", "2026-11-25T10:00:00Z")
                    .put("region", "eu");
            event.putObject("data").put("n", i);
            events.add(event);
        }
        return events;
    }

    /** Posts {@code events} as one batch and expects every one accepted. */
    static void post(List<ObjectNode> events) {
        given().contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    long rows() {
        return queryLong("SELECT count(*) FROM events WHERE source = ?");
    }

    long distinctIds() {
        return queryLong("SELECT count(DISTINCT event_id) FROM events WHERE source = ?");
    }

    /** Re-posted events the database found stored (the dedup hits it recorded). */
    long dedupHits() {
        return queryLong("SELECT count(*) FROM dedup_hits WHERE source = ?");
    }

    void awaitRows(long expected, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> rows() >= expected);
    }

    private long queryLong(String sql) {
        try (Connection connection = database();
                var statement = connection.prepareStatement(sql)) {
            statement.setString(1, source);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A direct connection to the test database, not through the application's proxy. */
    static Connection database() throws SQLException {
        URI url = URI.create(LocalStackResource.sharedConfig().get("quarkus.datasource.reactive.url"));
        return DriverManager.getConnection("jdbc:" + url, "postgres", "");
    }

    /**
     * Brings the test database's schema up to date, as the application does at start-up: a
     * test that counts rows before any application has started must not find the table missing.
     */
    static void migrateDatabase() {
        URI url = URI.create(LocalStackResource.sharedConfig().get("quarkus.datasource.reactive.url"));
        Flyway.configure()
                .dataSource("jdbc:" + url, "postgres", "")
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** FLUSHALL on the real Redis, as an operator (or a Redis restart without persistence) would. */
    static void flushRedis() {
        URI url = URI.create(LocalStackResource.sharedConfig().get("quarkus.redis.hosts"));
        try (Socket socket = new Socket("127.0.0.1", url.getPort());
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream()) {
            out.write("FLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] answer = new byte[5];
            int read = in.readNBytes(answer, 0, 5);
            if (read < 3 || !new String(answer, 0, 3, StandardCharsets.US_ASCII).equals("+OK")) {
                throw new IllegalStateException("FLUSHALL was not acknowledged");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
