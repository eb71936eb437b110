package io.sluice.ingest;

import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Request bodies sent with {@code Content-Encoding: gzip} or {@code deflate}, as log and event
 * shippers send their batches by default. The body is inflated a piece at a time and the
 * inflating stops as soon as the decoded bytes pass the body limit: a decompression bomb (a
 * few KiB that would inflate to gigabytes) costs at most the limit in memory and is answered
 * 413 before anything is parsed or sent. The wire bytes are bounded by the same limit before
 * they get here ({@link RequestLimits} and Vert.x).
 */
final class ContentEncoding {

    static final String GZIP = "gzip";
    static final String DEFLATE = "deflate";
    static final String IDENTITY = "identity";

    /** The codings the ingest endpoint decodes; every other endpoint takes identity only. */
    static final List<String> ACCEPTED = List.of(GZIP, DEFLATE, IDENTITY);

    private static final List<String> IDENTITY_ONLY = List.of(IDENTITY);

    private static final int PIECE = 16 * 1024;

    private ContentEncoding() {}

    /** Whether a request to {@code path} with this {@code Content-Encoding} (null: none) can be decoded. */
    static boolean accepted(String header, String path) {
        return header == null || acceptedAt(path).contains(normalise(header));
    }

    private static List<String> acceptedAt(String path) {
        boolean ingest = path.startsWith(IngestResource.PATH)
                && (path.length() == IngestResource.PATH.length() || path.equals(IngestResource.PATH + "/"));
        return ingest ? ACCEPTED : IDENTITY_ONLY;
    }

    /**
     * The request's body as sent before it was encoded.
     *
     * @param header the {@code Content-Encoding} header's value, null when absent
     * @param maxDecodedBytes the body limit, which holds for the decoded bytes too
     */
    static byte[] decode(String header, byte[] body, long maxDecodedBytes) {
        if (header == null) {
            return body;
        }
        return switch (normalise(header)) {
            case IDENTITY -> body;
            case GZIP -> gunzip(body, maxDecodedBytes);
            case DEFLATE -> inflate(body, maxDecodedBytes);
            default -> throw unsupported(header, IngestResource.PATH);
        };
    }

    static ProblemException unsupported(String header, String path) {
        return ProblemException.of(
                ProblemType.UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding '" + header + "' is not accepted here; send one of "
                        + String.join(", ", acceptedAt(path)) + ".");
    }

    private static String normalise(String header) {
        return header.trim().toLowerCase(Locale.ROOT);
    }

    /** RFC 1952, every member of the stream (concatenated gzip files), each checked against its CRC. */
    private static byte[] gunzip(byte[] body, long maxDecodedBytes) {
        try (InputStream decoded = new GZIPInputStream(new ByteArrayInputStream(body), PIECE)) {
            return readAll(decoded, maxDecodedBytes);
        } catch (IOException e) {
            throw corrupt(GZIP);
        }
    }

    /**
     * HTTP's "deflate" is the zlib format (RFC 1950), yet some clients send a raw deflate stream
     * (RFC 1951): both are taken, told apart by the zlib header's check bits.
     */
    private static byte[] inflate(byte[] body, long maxDecodedBytes) {
        boolean zlib = body.length >= 2 && (body[0] & 0x0F) == 8 && (u8(body, 0) << 8 | u8(body, 1)) % 31 == 0;
        Inflater inflater = new Inflater(!zlib);
        try {
            return readAll(new InflaterInputStream(new ByteArrayInputStream(body), inflater, PIECE), maxDecodedBytes);
        } catch (IOException e) {
            throw corrupt(DEFLATE);
        } finally {
            inflater.end();
        }
    }

    /** Reads {@code decoded} to its end, a piece at a time, and stops once it passes the limit. */
    private static byte[] readAll(InputStream decoded, long maxDecodedBytes) throws IOException {
        byte[] out = new byte[PIECE];
        int length = 0;
        while (true) {
            if (length == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(2L * out.length, maxDecodedBytes + 1));
            }
            int read = decoded.read(out, length, out.length - length);
            if (read < 0) {
                return Arrays.copyOf(out, length);
            }
            length += read;
            if (length > maxDecodedBytes) {
                throw tooLarge(maxDecodedBytes);
            }
        }
    }

    private static int u8(byte[] bytes, int at) {
        return bytes[at] & 0xFF;
    }

    private static ProblemException tooLarge(long maxDecodedBytes) {
        return ProblemException.of(
                ProblemType.PAYLOAD_TOO_LARGE,
                "A request body holds at most " + maxDecodedBytes + " bytes once decoded; nothing was accepted.");
    }

    private static ProblemException corrupt(String coding) {
        return ProblemException.of(
                ProblemType.INVALID_REQUEST, "The body is not valid " + coding + " data; nothing was accepted.");
    }
}
