package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Builds the benchmark's CloudEvents. Every field has a fixed width, so every event of a run
 * serialises to the same number of bytes and the record Sluice writes has one size, which is
 * what ProducerPerformance's {@code --record-size} is set to. Not thread-safe: one per driver
 * event loop.
 */
final class EventFactory {

    static final String SINGLE_CONTENT_TYPE = "application/cloudevents+json";
    static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";
    static final String BRIDGE_CONTENT_TYPE = "application/vnd.kafka.json.v2+json";

    // Fixed width (24 characters): Instant.toString() drops trailing zeros of the fraction.
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int PADS = 64;

    private final String runId;
    private final int keys;
    private final byte[][] pads;
    private long seq;
    private long timeMillis = -1;
    private String time;

    /**
     * @param padLength length of {@code data.payload}, the knob that sets the event's size
     * @param keys number of distinct subjects (the partition key), spread over the partitions
     */
    EventFactory(int padLength, int keys, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        this.runId = String.format("%08x", random.nextInt());
        this.keys = keys;
        // Distinct random payloads so that lz4 sees realistic, not trivially repetitive, data.
        this.pads = new byte[PADS][padLength];
        for (byte[] pad : pads) {
            for (int i = 0; i < pad.length; i++) {
                pad[i] = (byte) ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
        }
    }

    /** One event, as sent in structured mode. */
    byte[] single() {
        StringBuilder out = new StringBuilder(640);
        appendEvent(out);
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code count} events as one JSON array, as sent in batch mode. */
    byte[] batch(int count) {
        StringBuilder out = new StringBuilder(count * 600 + 2);
        out.append('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            appendEvent(out);
        }
        out.append(']');
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code count} events as a Strimzi Kafka Bridge produce request: each event is a record's
     * value, keyed by its subject as Sluice keys it, so both write the same records.
     */
    byte[] bridgeBatch(int count) {
        StringBuilder out = new StringBuilder(count * 630 + 16);
        out.append("{\"records\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"key\":\"device-").append(zeroPad(seq % keys, 4)).append("\",\"value\":");
            appendEvent(out);
            out.append('}');
        }
        out.append("]}");
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The id the next event will carry, e.g. to find it again in Kafka. */
    String nextId() {
        return id(seq);
    }

    private String id(long n) {
        return runId + "-" + zeroPad(n, 12);
    }

    private void appendEvent(StringBuilder out) {
        long n = seq++;
        long now = System.currentTimeMillis();
        if (now != timeMillis) {
            timeMillis = now;
            time = TIME.format(Instant.ofEpochMilli(now));
        }
        int tenths = 100 + (int) (n % 900);
        out.append("{\"specversion\":\"1.0\",\"id\":\"")
                .append(id(n))
                .append("\",\"source\":\"/bench/")
                .append(zeroPad(n % 100, 2))
                .append("\",\"type\":\"bench.event\",\"subject\":\"device-")
                .append(zeroPad(n % keys, 4))
                .append("\",\"time\":\"")
                .append(time)
                .append("\",\"datacontenttype\":\"application/json\",\"data\":{\"temperature\":")
                .append(tenths / 10)
                .append('.')
                .append(tenths % 10)
                .append(",\"payload\":\"")
                .append(new String(pads[(int) (n % PADS)], StandardCharsets.US_ASCII))
                .append("\"}}");
    }

    private static String zeroPad(long value, int width) {
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
