package io.sluice.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.List;

/** The answer to an ingest request: how many events Kafka acknowledged, and each event's outcome. */
@RegisterForReflection
public record IngestResult(int accepted, List<EventOutcome> results) {

    static IngestResult of(List<EventOutcome> results) {
        int accepted = 0;
        for (EventOutcome outcome : results) {
            accepted += outcome.isAccepted() ? 1 : 0;
        }
        return new IngestResult(accepted, results);
    }

    boolean allAccepted() {
        return accepted == results.size();
    }

    boolean noneAccepted() {
        return accepted == 0;
    }

    /** Whether retrying could help: some event was not taken because Kafka could not take it. */
    boolean anyUnavailable() {
        for (EventOutcome outcome : results) {
            if (outcome.isUnavailable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The answer as JSON, exactly as the object mapper writes this record (null members left
     * out), written by hand: every request is answered with one, and both the mapper's generic
     * record serialisation and then Jackson's generator showed in a batch request's profile
     * (docs/benchmarks.md).
     */
    byte[] json() {
        AnswerBytes json = new AnswerBytes(32 + 112 * results.size());
        json.ascii("{\"accepted\":").number(accepted).ascii(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            EventOutcome outcome = results.get(i);
            json.ascii(i == 0 ? "{\"index\":" : ",{\"index\":").number(outcome.index());
            if (outcome.line() != null) {
                json.ascii(",\"line\":").number(outcome.line());
            }
            if (outcome.source() != null) {
                json.ascii(",\"source\":").string(outcome.source());
            }
            if (outcome.id() != null) {
                json.ascii(",\"id\":").string(outcome.id());
            }
            json.ascii(",\"status\":").number(outcome.status());
            if (outcome.partition() != null) {
                json.ascii(",\"partition\":").number(outcome.partition());
            }
            if (outcome.offset() != null) {
                json.ascii(",\"offset\":").number(outcome.offset());
            }
            if (outcome.detail() != null) {
                json.ascii(",\"detail\":").string(outcome.detail());
            }
            json.ascii("}");
        }
        return json.ascii("]}").toByteArray();
    }

    /** A growing byte array for {@link #json()}: ASCII text, numbers and JSON strings. */
    private static final class AnswerBytes {

        private byte[] bytes;
        private int length;

        AnswerBytes(int capacity) {
            bytes = new byte[capacity];
        }

        /** Text known to be ASCII and to need no escape (the answer's own punctuation and names). */
        AnswerBytes ascii(String text) {
            ensure(text.length());
            text.getBytes(0, text.length(), bytes, length); // deprecated for not encoding: ASCII needs none
            length += text.length();
            return this;
        }

        AnswerBytes number(long value) {
            return ascii(Long.toString(value));
        }

        /** A JSON string: as it is when it is printable ASCII without quote or backslash, else escaped by Jackson. */
        AnswerBytes string(String text) {
            ensure(text.length() + 2);
            int at = length;
            bytes[at++] = '"';
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                    return escaped(text);
                }
                bytes[at++] = (byte) c;
            }
            bytes[at++] = '"';
            length = at;
            return this;
        }

        private AnswerBytes escaped(String text) {
            byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(text);
            ensure(quoted.length + 2);
            bytes[length++] = '"';
            System.arraycopy(quoted, 0, bytes, length, quoted.length);
            length += quoted.length;
            bytes[length++] = '"';
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        byte[] toByteArray() {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }
}
