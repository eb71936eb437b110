package io.sluice.sink;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.SinkTopicsResource;
import io.sluice.testing.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events posted over HTTP end up in PostgreSQL exactly once, whatever is posted twice. */
@QuarkusTest
@TestProfile(SinkTest.OwnTopics.class)
class SinkTest {

    private static final Duration STORED = Duration.ofSeconds(60);

    private final SinkFixture fixture = new SinkFixture();
    private TopicProbe deadLetters;
    private Map<TopicPartition, Long> deadLettersMark;

    @BeforeEach
    void markDeadLetters() {
        deadLetters = new TopicProbe(
                LocalStackResource.sharedConfig().get("kafka.bootstrap.servers"), SinkTopicsResource.deadLetterTopic);
        deadLettersMark = deadLetters.mark();
    }

    /** Duplicates are recognised, never refused: nothing of these tests may reach the dead-letter topic. */
    @AfterEach
    void nothingWasDeadLettered() {
        try {
            assertThat(deadLetters.countSince(deadLettersMark))
                    .as("dead-lettered")
                    .isZero();
        } finally {
            deadLetters.close();
        }
    }

    @Test
    void postedEventsAreStoredWithEveryColumn() throws Exception {
        List<ObjectNode> events = fixture.events(20);

        SinkFixture.post(events);

        fixture.awaitRows(20, STORED);
        try (Connection db = SinkFixture.database();
                var query = db.prepareStatement("SELECT * FROM events WHERE source = ? AND event_id = 'event-3'")) {
            query.setString(1, fixture.source);
            ResultSet row = query.executeQuery();
            assertThat(row.next()).isTrue();
            assertThat(row.getString("tenant")).isEqualTo("default");
            assertThat(row.getString("type")).isEqualTo("sink.test");
            assertThat(row.getString("subject")).isEqualTo("subject-3");
            assertThat(row.getObject("event_time", OffsetDateTime.class).toInstant())
                    .isEqualTo(OffsetDateTime.parse("2026-11-25T10:00:00Z").toInstant());
            assertThat(row.getString("data")).isEqualTo("{\"n\": 3}");
            assertThat(row.getString("attributes")).isEqualTo("{\"region\": \"eu\"}");
            assertThat(row.getInt("kafka_partition")).isBetween(0, 5);
            assertThat(row.getLong("kafka_offset")).isNotNegative();
            assertThat(row.getObject("accepted_at", OffsetDateTime.class)).isNotNull();
        }
        assertThat(fixture.rows()).isEqualTo(20);
    }

    @Test
    void textIsStoredAsSentIncludingEscapedSurrogatePairs() throws Exception {
        String body = "{\"specversion\":\"1.0\",\"id\":\"unicode\",\"source\":\"" + fixture.source
                + "\",\"type\":\"t\",\"data\":{\"s\":\"\\ud83d\\ude00 \u00e9 \\u00e9\"}}";
        given().contentType("application/cloudevents+json")
                .body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/events")
                .then()
                .statusCode(202);

        fixture.awaitRows(1, STORED);
        try (Connection db = SinkFixture.database();
                var query = db.prepareStatement("SELECT data->>'s' FROM events WHERE source = ?")) {
            query.setString(1, fixture.source);
            ResultSet row = query.executeQuery();
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("\uD83D\uDE00 \u00e9 \u00e9");
        }
    }

    @Test
    void rePostingTenPercentOfTheIdsSomeConcurrentlyStoresEachOnce() throws Exception {
        List<ObjectNode> events = fixture.events(500);
        List<ObjectNode> reposted = events.subList(0, 50);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            // Half the re-posts race the originals, half come after them.
            CompletableFuture<Void> originals =
                    CompletableFuture.runAsync(() -> SinkFixture.post(events.subList(0, 250)), clients);
            CompletableFuture<Void> racing =
                    CompletableFuture.runAsync(() -> SinkFixture.post(reposted.subList(0, 25)), clients);
            originals.get();
            racing.get();
            SinkFixture.post(events.subList(250, 500));
            SinkFixture.post(reposted.subList(25, 50));
        } finally {
            clients.shutdown();
        }

        fixture.awaitRows(500, STORED);
        Thread.sleep(2_000); // a duplicate would arrive within this, behind the originals
        assertThat(fixture.rows()).isEqualTo(500);
        assertThat(fixture.distinctIds()).isEqualTo(500);
    }

    @Test
    void afterRedisForgetsEverythingTheDatabaseConstraintStillHolds() throws Exception {
        List<ObjectNode> events = fixture.events(300);
        SinkFixture.post(events.subList(0, 200));
        fixture.awaitRows(200, STORED);

        SinkFixture.flushRedis();
        // Redis no longer knows the first 200 are done: the database must refuse them. The batch
        // mixes them with 100 new ones, so the sink's first, whole-batch insert fails on the
        // constraint and the batch is stored again, tolerating the 200.
        SinkFixture.post(events);

        fixture.awaitRows(300, STORED);
        Thread.sleep(2_000);
        assertThat(fixture.rows()).isEqualTo(300);
        assertThat(fixture.dedupHits()).isEqualTo(200);

        // The next batches, all new, are stored whole again.
        List<ObjectNode> more = fixture.events(400).subList(300, 400);
        SinkFixture.post(more);
        fixture.awaitRows(400, STORED);
        Thread.sleep(2_000);
        assertThat(fixture.rows()).isEqualTo(400);
        assertThat(fixture.dedupHits()).isEqualTo(200);
    }

    @Test
    void withRedisUnreachableEventsAreStillStoredOnce() throws Exception {
        List<ObjectNode> events = fixture.events(200);
        SinkFixture.post(events.subList(0, 100));
        fixture.awaitRows(100, STORED);

        SinkTopicsResource.redis.cut();
        try {
            SinkFixture.post(events); // 100 new, 100 again
            fixture.awaitRows(200, STORED);
        } finally {
            SinkTopicsResource.redis.restore();
        }
        Thread.sleep(2_000);
        assertThat(fixture.rows()).isEqualTo(200);
    }

    public static class OwnTopics extends OwnBackendsProfile {
        public OwnTopics() {
            super(
                    SinkTopicsResource.class,
                    Map.of(
                            "sluice.sink.claim-lease", "3s",
                            "sluice.sink.max-backoff", "1s",
                            "quarkus.redis.timeout", "2s"));
        }
    }
}
