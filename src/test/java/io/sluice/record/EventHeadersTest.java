package io.sluice.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The record contract read back: what every reader of the events and dead-letter topics agrees on. */
class EventHeadersTest {

    private static final Instant ACCEPTED = Instant.parse("2026-12-07T10:15:30.123456Z");

    @Test
    void whatIngestWritesReadsBackWhole() {
        Headers headers = new RecordHeaders(new Header[] {
            EventHeaders.STRUCTURED_CONTENT_TYPE,
            EventHeaders.tenantHeader("acme"),
            EventHeaders.acceptedAtHeader(ACCEPTED)
        });

        assertThat(EventHeaders.read(headers)).isEqualTo(new EventHeaders("acme", ACCEPTED, false, null));
    }

    @Test
    void aMissingEmptyOrNulTenantIsNoTenant() {
        for (byte[] tenant : new byte[][] {null, new byte[0], "ac\0me".getBytes(StandardCharsets.UTF_8)}) {
            Headers headers = new RecordHeaders().add(EventHeaders.acceptedAtHeader(ACCEPTED));
            if (tenant != null) {
                headers.add(EventHeaders.TENANT, tenant);
            }

            EventHeaders read = EventHeaders.read(headers);

            assertThat(read.tenant()).isNull();
            assertThat(read.problem()).isEqualTo("the record has no sluice-tenant header");
        }
    }

    @Test
    void anAcceptanceTimeThatIsMissingOrNotAnInstantIsAProblem() {
        Headers missing = new RecordHeaders().add(EventHeaders.tenantHeader("acme"));
        Headers unreadable = new RecordHeaders()
                .add(EventHeaders.tenantHeader("acme"))
                .add(EventHeaders.ACCEPTED_AT, "yesterday".getBytes(StandardCharsets.UTF_8));

        assertThat(EventHeaders.read(missing).problem()).isEqualTo("the record has no sluice-accepted-at header");
        assertThat(EventHeaders.read(unreadable).problem())
                .isEqualTo("the sluice-accepted-at header is not an ISO-8601 instant");
        assertThat(EventHeaders.read(unreadable).acceptedAt()).isNull();
        assertThat(EventHeaders.read(unreadable).tenant()).isEqualTo("acme");
    }

    @Test
    void aDeadLetterSentBackIsTheOriginalRecordMarkedAsARedrive() {
        ConsumerRecord<String, byte[]> original = new ConsumerRecord<>("sluice.events", 3, 41L, "key", new byte[0]);
        original.headers().add(EventHeaders.tenantHeader("acme")).add(EventHeaders.acceptedAtHeader(ACCEPTED));
        Instant deadLetteredAt = ACCEPTED.plusSeconds(5);

        RecordHeaders deadLetter = DeadLetterHeaders.of(original, "the database refused the event", 5, deadLetteredAt);
        RecordHeaders sentBack = DeadLetterHeaders.forRedrive(HeadersJson.fromJson(HeadersJson.toJson(deadLetter)), 17);

        assertThat(EventHeaders.text(deadLetter, DeadLetterHeaders.REASON)).isEqualTo("the database refused the event");
        assertThat(EventHeaders.text(deadLetter, DeadLetterHeaders.ATTEMPTS)).isEqualTo("5");
        assertThat(EventHeaders.text(deadLetter, DeadLetterHeaders.ORIGIN)).isEqualTo("sluice.events/3/41");
        assertThat(EventHeaders.text(deadLetter, DeadLetterHeaders.DEAD_LETTERED_AT))
                .isEqualTo(deadLetteredAt.toString());
        assertThat(sentBack.toArray())
                .extracting(Header::key)
                .containsExactly(EventHeaders.TENANT, EventHeaders.ACCEPTED_AT, EventHeaders.REDRIVE_OF);
        assertThat(EventHeaders.read(sentBack)).isEqualTo(new EventHeaders("acme", ACCEPTED, true, null));
        assertThat(EventHeaders.text(sentBack, EventHeaders.REDRIVE_OF)).isEqualTo("17");
    }
}
