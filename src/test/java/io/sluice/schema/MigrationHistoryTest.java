package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.MigrationHistory.Applied;
import io.sluice.schema.MigrationHistory.Shipped;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** When Flyway must run at start-up: every case but "exactly what is shipped, as shipped". */
class MigrationHistoryTest {

    private static final List<Shipped> SHIPPED = List.of(new Shipped("V1__a.sql", 11), new Shipped("V2__b.sql", 22));

    @Test
    void theShippedMigrationsAppliedAsShippedNeedNoFlyway() {
        List<Applied> applied = List.of(
                new Applied("db/migration/V1__a.sql", 11, true), new Applied("db/migration/V2__b.sql", 22, true));

        assertThat(MigrationHistory.whyMigrate(SHIPPED, applied)).isEmpty();
    }

    @Test
    void aHistoryWrittenByPlainFlywayNamesFilesWithoutTheirDirectoryAndCountsTheSame() {
        List<Applied> applied = List.of(new Applied("V1__a.sql", 11, true), new Applied("V2__b.sql", 22, true));

        assertThat(MigrationHistory.whyMigrate(SHIPPED, applied)).isEmpty();
    }

    @Test
    void everyOtherHistoryRunsFlywayAndSaysWhy() {
        assertThat(MigrationHistory.whyMigrate(SHIPPED, List.of())).hasValue("V1__a.sql is not applied yet");
        assertThat(MigrationHistory.whyMigrate(SHIPPED, List.of(new Applied("db/migration/V1__a.sql", 11, true))))
                .hasValue("V2__b.sql is not applied yet");
        assertThat(MigrationHistory.whyMigrate(
                        SHIPPED,
                        List.of(
                                new Applied("db/migration/V1__a.sql", 11, true),
                                new Applied("db/migration/V2__b.sql", 23, true))))
                .hasValue("V2__b.sql differs from the one applied");
        assertThat(MigrationHistory.whyMigrate(
                        SHIPPED,
                        List.of(
                                new Applied("db/migration/V1__a.sql", 11, true),
                                new Applied("db/migration/V2__b.sql", 22, false))))
                .hasValue("db/migration/V2__b.sql is recorded as failed");
        assertThat(MigrationHistory.whyMigrate(
                        SHIPPED,
                        List.of(
                                new Applied("db/migration/V1__a.sql", 11, true),
                                new Applied("db/migration/V2__b.sql", 22, true),
                                new Applied("db/migration/V3__c.sql", 33, true))))
                .hasValue("the history holds migrations this build does not ship: [V3__c.sql]");
        assertThat(MigrationHistory.whyMigrate(
                        SHIPPED,
                        List.of(
                                new Applied("<< Flyway Baseline >>", null, true),
                                new Applied("db/migration/V1__a.sql", 11, true),
                                new Applied("db/migration/V2__b.sql", 22, true))))
                .hasValue("the history holds migrations this build does not ship: [<< Flyway Baseline >>]");
    }

    @Test
    void theChecksumIsCrc32OfEachLineWithoutItsEndingOrAByteOrderMark() throws Exception {
        CRC32 expected = new CRC32();
        expected.update("CREATE TABLE a (id int);".getBytes(StandardCharsets.UTF_8));
        expected.update("-- é".getBytes(StandardCharsets.UTF_8));

        for (String text : List.of(
                "CREATE TABLE a (id int);\n-- é\n",
                "\uFEFFCREATE TABLE a (id int);\r\n-- é",
                "CREATE TABLE a (id int);\r-- é\n")) {
            assertThat(MigrationHistory.checksum(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))))
                    .as(text)
                    .isEqualTo((int) expected.getValue());
        }
    }

    @Test
    void theListOfShippedMigrationsIsTheMigrationDirectory() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources", SchemaMigration.LOCATION))) {
            assertThat(SchemaMigration.SHIPPED)
                    .as("a migration added to db/migration is added to SchemaMigration.SHIPPED, in order")
                    .containsExactlyElementsOf(
                            files.map(file -> file.getFileName().toString())
                                    .sorted((a, b) -> Integer.compare(version(a), version(b)))
                                    .toList());
        }
    }

    private static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }
}
