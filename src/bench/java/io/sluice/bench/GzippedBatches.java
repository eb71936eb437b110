package io.sluice.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip'd batches for the load driver, compressed before the phase: compressing each request
 * while measuring would spend the driver's share of the two cores on gzip, not Sluice's on
 * gunzip. The driver cycles through them; the ingest benchmark runs without the sink, so a
 * repeated event id costs nothing it would not cost the first time.
 */
final class GzippedBatches {

    private static final int DISTINCT = 256;

    private final byte[][] batches = new byte[DISTINCT][];
    private final int plainBytes;
    private int next;

    GzippedBatches(EventFactory events, int size) {
        int plain = 0;
        for (int i = 0; i < DISTINCT; i++) {
            byte[] batch = events.batch(size);
            plain = batch.length;
            batches[i] = gzip(batch);
        }
        this.plainBytes = plain;
    }

    /** Called on the driver's one event loop only. */
    byte[] next() {
        byte[] batch = batches[next];
        next = (next + 1) % DISTINCT;
        return batch;
    }

    int plainBytes() {
        return plainBytes;
    }

    int wireBytes() {
        return batches[0].length;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
