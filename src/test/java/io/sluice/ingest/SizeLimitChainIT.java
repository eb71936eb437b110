package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.LocalStackResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged application refuses to start when its size limits do not chain. */
class SizeLimitChainIT {

    @Test
    void brokenChainStopsTheApplicationWithAClearMessage() throws Exception {
        Path projectDir = Path.of(System.getProperty("stack.project-dir", "")).toAbsolutePath();
        Path log = Files.createTempFile("size-limit-chain", ".log");
        List<String> command = new ArrayList<>(List.of("java"));
        LocalStackResource.sharedConfig().forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of(
                "-Dquarkus.http.port=0",
                "-Dquarkus.management.port=0",
                "-Dquarkus.log.console.json.enabled=false",
                // 4 MiB bodies can become records far above the producer's 1.5 MiB max.request.size.
                "-Dquarkus.http.limits.max-body-size=4M",
                "-jar",
                projectDir.resolve("target/quarkus-app/quarkus-run.jar").toString()));

        Process app = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertThat(app.waitFor(60, TimeUnit.SECONDS))
                    .as("the application exits")
                    .isTrue();
            assertThat(app.exitValue()).isNotZero();
            assertThat(Files.readString(log))
                    .contains("size-limit chain is broken")
                    .contains("max-body-size (4194304)")
                    .contains("max.request.size (1572864)");
        } finally {
            app.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
