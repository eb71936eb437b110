package io.sluice.record;

import io.sluice.event.AcceptedAt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The headers of a record on the events topic, as read back: the tenant that sent the event,
 * when Sluice accepted it, and whether a redrive put it there. Every reader of the events topic
 * reads them here, so they agree on what is missing: a header that is absent, has no value,
 * or holds a NUL (which no tenant name contains and PostgreSQL text cannot hold) is not there.
 *
 * @param tenant the tenant, or null when the record has none
 * @param acceptedAt when Sluice accepted the event, or null when the record has no readable time
 * @param redrive whether the record is a dead letter sent back ({@link #REDRIVE_OF})
 * @param problem why the record is not a complete event record, or null when it is
 */
public record EventHeaders(String tenant, Instant acceptedAt, boolean redrive, String problem) {

    /** The tenant, taken from the caller's credentials at ingest. */
    public static final String TENANT = "sluice-tenant";

    /** The instant Sluice accepted the event, as {@link Instant#toString()} writes it. */
    public static final String ACCEPTED_AT = "sluice-accepted-at";

    /** On a redriven record: the id of the dead-letter entry it was sent back from. */
    public static final String REDRIVE_OF = "sluice-redrive-of";

    /**
     * Every record is a CloudEvent in the structured mode of the CloudEvents Kafka protocol
     * binding: the value is the event in JSON format, and this header says so. A standard
     * consumer (the CloudEvents SDK's Kafka deserializer, for one) reads it as a CloudEvent.
     */
    public static final Header STRUCTURED_CONTENT_TYPE =
            new RecordHeader("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));

    public static Header tenantHeader(String tenant) {
        return new RecordHeader(TENANT, tenant.getBytes(StandardCharsets.UTF_8));
    }

    public static Header acceptedAtHeader(Instant acceptedAt) {
        return new RecordHeader(ACCEPTED_AT, acceptedAt.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static EventHeaders read(Headers headers) {
        boolean redrive = headers.lastHeader(REDRIVE_OF) != null;
        String tenant = text(headers, TENANT);
        if (tenant != null && tenant.isEmpty()) {
            tenant = null;
        }
        String acceptedAtText = text(headers, ACCEPTED_AT);
        Instant acceptedAt = null;
        String problem = null;
        if (acceptedAtText == null) {
            problem = "the record has no " + ACCEPTED_AT + " header";
        } else {
            try {
                acceptedAt = AcceptedAt.parse(acceptedAtText);
            } catch (DateTimeParseException e) {
                problem = "the " + ACCEPTED_AT + " header is not an ISO-8601 instant";
            }
        }
        if (tenant == null) {
            problem = "the record has no " + TENANT + " header";
        }
        return new EventHeaders(tenant, acceptedAt, redrive, problem);
    }

    /** The header's value as text, or null when it is absent, has no value or holds a NUL. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null) {
            return null;
        }
        String text = new String(header.value(), StandardCharsets.UTF_8);
        return text.indexOf('\0') >= 0 ? null : text;
    }
}
