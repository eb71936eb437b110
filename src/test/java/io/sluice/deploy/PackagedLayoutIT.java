package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After `mvn package` (failsafe runs this in `verify`): what the Dockerfiles COPY is really
 * there. The JVM check runs after a JVM build, the native one after `-Dnative`; each is skipped,
 * saying so, when its build output is absent.
 */
class PackagedLayoutIT {

    @Test
    void jvmDockerfileCopiesWhatTheFastJarBuildWrote() throws IOException {
        Path app = AppFacts.ROOT.resolve("target/quarkus-app");
        assumeTrue(Files.isRegularFile(app.resolve("quarkus-run.jar")), "no JVM build in target/quarkus-app");
        for (Dockerfile.Copy copy : DockerfileTest.JVM.copies()) {
            for (String source : copy.sources()) {
                assertThat(matches(source)).as("COPY %s", source).isNotEmpty();
            }
        }
        assertThat(matches("target/quarkus-app/*.jar"))
                .as("COPY *.jar brings the launcher and nothing else")
                .extracting(p -> p.getFileName().toString())
                .containsExactly("quarkus-run.jar");
        assertThat(matches("target/quarkus-app/lib/"))
                .singleElement()
                .satisfies(lib -> assertThat(lib.resolve("main")).isDirectory());
    }

    @Test
    void nativeDockerfileCopiesExactlyOneRunner() throws IOException {
        Path runner = Path.of(System.getProperty(
                "native.image.path",
                AppFacts.ROOT
                        .resolve("target/" + AppFacts.finalName() + "-runner")
                        .toString()));
        assumeTrue(Files.isRegularFile(runner), "no native build at " + runner);
        String source = DockerfileTest.NATIVE.copies().stream()
                .flatMap(c -> c.sources().stream())
                .filter(s -> s.endsWith("-runner"))
                .findFirst()
                .orElseThrow();
        assertThat(matches(source)).containsExactly(runner.toAbsolutePath().normalize());
        assertThat(Files.isExecutable(runner)).isTrue();
    }

    /** Paths under the project root that a COPY source (a glob, or a directory with /) names. */
    private static List<Path> matches(String source) throws IOException {
        String glob = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        Path dir = AppFacts.ROOT.resolve(glob).getParent();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        var matcher = FileSystems.getDefault().getPathMatcher("glob:" + AppFacts.ROOT.resolve(glob));
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.toAbsolutePath().normalize())
                    .filter(matcher::matches)
                    .filter(p -> !source.endsWith("/") || Files.isDirectory(p))
                    .sorted()
                    .toList();
        }
    }
}
