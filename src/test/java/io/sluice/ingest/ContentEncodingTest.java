package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.error.ProblemException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ContentEncodingTest {

    private static final long LIMIT = 1024 * 1024;
    private static final byte[] BATCH = "[{\"id\":\"1\"},{\"id\":\"2\"}]".getBytes(StandardCharsets.UTF_8);

    @Test
    void gzipAndBothDeflateFormsDecodeToWhatWasSent() throws IOException {
        assertThat(ContentEncoding.decode("gzip", gzip(BATCH), LIMIT)).isEqualTo(BATCH);
        assertThat(ContentEncoding.decode(" GZIP ", gzip(BATCH), LIMIT)).isEqualTo(BATCH);
        assertThat(ContentEncoding.decode("deflate", deflate(BATCH, false), LIMIT))
                .isEqualTo(BATCH);
        assertThat(ContentEncoding.decode("deflate", deflate(BATCH, true), LIMIT))
                .isEqualTo(BATCH);
        assertThat(ContentEncoding.decode("identity", BATCH, LIMIT)).isSameAs(BATCH);
        assertThat(ContentEncoding.decode(null, BATCH, LIMIT)).isSameAs(BATCH);
    }

    @Test
    void concatenatedGzipMembersAreOneBody() throws IOException {
        byte[] first = gzip("[{\"id\":\"1\"},".getBytes(StandardCharsets.UTF_8));
        byte[] second = gzip("{\"id\":\"2\"}]".getBytes(StandardCharsets.UTF_8));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);

        assertThat(ContentEncoding.decode("gzip", both, LIMIT)).isEqualTo(BATCH);
    }

    @Test
    void aBodyThatDecodesToExactlyTheLimitIsTaken() throws IOException {
        byte[] atLimit = new byte[(int) LIMIT];
        Arrays.fill(atLimit, (byte) ' ');

        assertThat(ContentEncoding.decode("gzip", gzip(atLimit), LIMIT)).hasSize((int) LIMIT);
        assertThatThrownBy(() -> ContentEncoding.decode("gzip", gzip(Arrays.copyOf(atLimit, (int) LIMIT + 1)), LIMIT))
                .isInstanceOf(ProblemException.class)
                .satisfies(e ->
                        assertThat(((ProblemException) e).problem().status()).isEqualTo(413));
    }

    /**
     * 256 MiB of zeros gzip to a quarter of a megabyte; decoding stops at the limit, having
     * allocated about the limit, not the 256 MiB (the thread's allocation counter says so).
     */
    @Test
    void aDecompressionBombIsStoppedAtTheLimitWithoutBeingInflated() throws IOException {
        byte[] bomb = gzipZeros(256L << 20);
        assertThat(bomb.length).isLessThan(300_000);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        assertThatThrownBy(() -> ContentEncoding.decode("gzip", bomb, LIMIT))
                .isInstanceOf(ProblemException.class)
                .satisfies(e ->
                        assertThat(((ProblemException) e).problem().status()).isEqualTo(413));

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(8 * LIMIT);
    }

    @Test
    void otherCodingsAreRefusedWith415NamingTheAcceptedOnes() {
        for (String coding : new String[] {"br", "zstd", "compress", "gzip, gzip"}) {
            assertThat(ContentEncoding.accepted(coding, IngestResource.PATH))
                    .as(coding)
                    .isFalse();
            assertThatThrownBy(() -> ContentEncoding.decode(coding, BATCH, LIMIT))
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> {
                        assertThat(((ProblemException) e).problem().status()).isEqualTo(415);
                        assertThat(((ProblemException) e).problem().detail()).contains("gzip, deflate, identity");
                    });
        }
    }

    @Test
    void onlyTheIngestEndpointDecodes() {
        assertThat(ContentEncoding.accepted("gzip", IngestResource.PATH)).isTrue();
        assertThat(ContentEncoding.accepted("gzip", "/v1/rules")).isFalse();
        assertThat(ContentEncoding.accepted("identity", "/v1/rules")).isTrue();
        assertThat(ContentEncoding.accepted(null, "/v1/rules")).isTrue();
        assertThat(ContentEncoding.unsupported("gzip", "/v1/rules").problem().detail())
                .isEqualTo("Content-Encoding 'gzip' is not accepted here; send one of identity.");
    }

    @Test
    void bytesThatAreNotWhatTheyClaimAreRefusedWith400() throws IOException {
        byte[] truncated = Arrays.copyOf(gzip(BATCH), gzip(BATCH).length - 4);
        byte[] flipped = gzip(BATCH);
        flipped[flipped.length - 6] ^= 0x55; // the CRC no longer matches

        for (byte[] body : new byte[][] {BATCH, truncated, flipped, new byte[0]}) {
            assertThatThrownBy(() -> ContentEncoding.decode("gzip", body, LIMIT))
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).problem().status())
                            .isEqualTo(400));
        }
        assertThatThrownBy(() -> ContentEncoding.decode("deflate", BATCH, LIMIT))
                .isInstanceOf(ProblemException.class)
                .satisfies(e ->
                        assertThat(((ProblemException) e).problem().status()).isEqualTo(400));
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    static byte[] gzipZeros(long count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
            for (long written = 0; written < count; written += zeros.length) {
                gzip.write(zeros);
            }
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] bytes, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, deflater)) {
            deflate.write(bytes);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }
}
