package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * The sink benchmark's CloudEvents in structured JSON, all of one size: unique ids, 100
 * sources and {@code keys} subjects (the partition key) per phase, and a random payload that
 * pads each event to {@code bytes}. Sources are {@code /sink-bench/<run>/<phase>/NN}, so the
 * rows of one phase can be counted in SQL. Not thread-safe.
 */
final class SinkEvents {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int PADS = 64;

    private final String run;
    private final String phase;
    private final int keys;
    private final int bytes;
    private final String[] pads;
    private long seq;

    SinkEvents(String run, String phase, int keys, int bytes, long seed) {
        this.run = run;
        this.phase = phase;
        this.keys = keys;
        this.bytes = bytes;
        SplittableRandom random = new SplittableRandom(seed);
        this.pads = new String[PADS];
        for (int p = 0; p < PADS; p++) {
            char[] pad = new char[bytes];
            for (int i = 0; i < pad.length; i++) {
                pad[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            pads[p] = new String(pad);
        }
    }

    /** The source prefix of this phase's events, for {@code source LIKE prefix || '%'}. */
    static String sourcePrefix(String run, String phase) {
        return "/sink-bench/" + run + "/" + phase + "/";
    }

    /** The subject (and Kafka key) of the next event. */
    String nextKey() {
        return "device-" + zeroPad(seq % keys, 4);
    }

    /** The next event, {@code bytes} long (or longer, if the fixed fields alone exceed it). */
    String next() {
        long n = seq++;
        StringBuilder out = new StringBuilder(bytes + 16);
        out.append("{\"specversion\":\"1.0\",\"id\":\"")
                .append(run)
                .append('-')
                .append(phase)
                .append('-')
                .append(zeroPad(n, 10))
                .append("\",\"source\":\"")
                .append(sourcePrefix(run, phase))
                .append(zeroPad(n % 100, 2))
                .append("\",\"type\":\"sink.bench\",\"subject\":\"device-")
                .append(zeroPad(n % keys, 4))
                .append("\",\"time\":\"")
                .append(TIME.format(Instant.now()))
                .append("\",\"datacontenttype\":\"application/json\",\"data\":{\"temperature\":")
                .append(10 + n % 90)
                .append('.')
                .append(n % 10)
                .append(",\"seq\":")
                .append(n)
                .append(",\"payload\":\"");
        int padLength = Math.max(0, bytes - out.length() - 3);
        out.append(pads[(int) (n % PADS)], 0, padLength).append("\"}}");
        return out.toString();
    }

    /** {@code count} events as a JSON array (batch mode). */
    byte[] batch(int count) {
        StringBuilder out = new StringBuilder(count * (bytes + 1) + 2);
        out.append('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(next());
        }
        return out.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String zeroPad(long value, int width) {
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
