package io.sluice.record;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a record on the dead-letter topic: the record's own, unchanged, then why it
 * could not be stored, how often it was tried, where it came from and when. A redrive takes the
 * dead-letter ones off again and says which entry it sends back ({@link EventHeaders#REDRIVE_OF}).
 */
public final class DeadLetterHeaders {

    /** Every header the dead-lettering adds starts with this. */
    public static final String PREFIX = "sluice-dlq-";

    public static final String REASON = PREFIX + "reason";
    public static final String ATTEMPTS = PREFIX + "attempts";
    public static final String ORIGIN = PREFIX + "origin";
    public static final String DEAD_LETTERED_AT = PREFIX + "at";

    private DeadLetterHeaders() {}

    /** The headers of {@code record}'s dead letter. */
    public static RecordHeaders of(ConsumerRecord<?, ?> record, String reason, int attempts, Instant at) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        headers.add(REASON, utf8(reason));
        headers.add(ATTEMPTS, utf8(Integer.toString(attempts)));
        headers.add(ORIGIN, utf8(record.topic() + "/" + record.partition() + "/" + record.offset()));
        headers.add(DEAD_LETTERED_AT, utf8(at.toString()));
        return headers;
    }

    /** The headers a dead letter is sent back with: its record's own, marked as a redrive of {@code entryId}. */
    public static RecordHeaders forRedrive(Headers deadLetter, long entryId) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : deadLetter) {
            if (!header.key().startsWith(PREFIX) && !header.key().equals(EventHeaders.REDRIVE_OF)) {
                headers.add(header);
            }
        }
        headers.add(EventHeaders.REDRIVE_OF, utf8(Long.toString(entryId)));
        return headers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
