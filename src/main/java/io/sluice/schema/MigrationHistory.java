package io.sluice.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/** Flyway's migration history against the migrations this build ships. */
final class MigrationHistory {

    /** A migration this build ships: its file name and Flyway's checksum of its text. */
    record Shipped(String file, int checksum) {}

    /** A row of Flyway's history table: the script as Flyway recorded it (a path or a file name). */
    record Applied(String script, Integer checksum, boolean success) {

        String file() {
            return script.substring(script.lastIndexOf('/') + 1);
        }
    }

    private MigrationHistory() {}

    /**
     * Why Flyway must run, or empty when the history holds exactly the shipped migrations, each
     * applied successfully from the text shipped now. Anything else is a reason, so Flyway (and
     * its validation, which refuses an edited migration) decides every case but that one.
     */
    static Optional<String> whyMigrate(List<Shipped> shipped, List<Applied> applied) {
        Map<String, Applied> byFile = new LinkedHashMap<>();
        for (Applied row : applied) {
            if (!row.success()) {
                return Optional.of(row.script() + " is recorded as failed");
            }
            if (byFile.put(row.file(), row) != null) {
                return Optional.of(row.script() + " is recorded twice");
            }
        }
        for (Shipped migration : shipped) {
            Applied row = byFile.remove(migration.file());
            if (row == null) {
                return Optional.of(migration.file() + " is not applied yet");
            }
            if (row.checksum() == null || row.checksum() != migration.checksum()) {
                return Optional.of(migration.file() + " differs from the one applied");
            }
        }
        if (!byFile.isEmpty()) {
            return Optional.of("the history holds migrations this build does not ship: " + byFile.keySet());
        }
        return Optional.empty();
    }

    /**
     * Flyway's checksum of a migration: CRC-32 over the UTF-8 bytes of each line without its line
     * ending, a byte order mark dropped. Equal to what Flyway records (SchemaMigrationTest compares
     * them against databases Flyway migrated).
     */
    static int checksum(InputStream text) throws IOException {
        CRC32 crc = new CRC32();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8))) {
            String line = lines.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = lines.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return (int) crc.getValue();
    }
}
