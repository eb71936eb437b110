package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.TestCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * After the whole suite: none of the credentials the tests used — keys, the bootstrap key,
 * JWTs, stream tickets — appears in any application log the suite captured (the test
 * applications' log file, with the security code at DEBUG, and every packaged application's
 * log). Runs last among the integration tests, so it sees theirs too.
 */
@Order(Integer.MAX_VALUE)
class CredentialsNotLoggedIT {

    private static final Path TARGET = TestCredentials.USED.getParent();

    @Test
    void noCredentialAppearsInAnyApplicationLog() throws IOException {
        Assumptions.assumeTrue(Files.exists(TestCredentials.USED), "no test recorded credentials: run the whole suite");
        Set<String> credentials = new LinkedHashSet<>();
        for (String line : Files.readAllLines(TestCredentials.USED, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                credentials.add(line.strip());
            }
        }
        List<Path> logs = logs();
        assertThat(logs).as("captured logs").isNotEmpty();
        long bytes = 0;
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            bytes += text.length();
            for (String credential : credentials) {
                if (text.contains(credential)) {
                    leaks.add(TARGET.relativize(log) + " contains a credential starting " + credential.substring(0, 8));
                }
            }
        }
        System.out.printf(
                "credential log check: %d credentials searched in %d logs (%d bytes)%n",
                credentials.size(), logs.size(), bytes);
        assertThat(credentials.size()).as("credentials the suite used").isGreaterThan(20);
        assertThat(leaks).isEmpty();
    }

    /** The test applications' log file and the packaged applications' logs, all under target/. */
    private static List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.list(TARGET)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .toList();
        }
    }
}
