package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The container images cannot be built here (no Docker engine, no GraalVM), so their
 * Dockerfiles are checked as text against what the build produces: the Quarkus fast-jar
 * layout, the native runner's name, the port, and a non-root user.
 */
class DockerfileTest {

    /** What `mvn package` writes to target/quarkus-app (Quarkus fast-jar). */
    static final Set<String> FAST_JAR_LAYOUT = Set.of(
            "target/quarkus-app/lib/",
            "target/quarkus-app/*.jar",
            "target/quarkus-app/app/",
            "target/quarkus-app/quarkus/");

    static final Dockerfile JVM = Dockerfile.read(AppFacts.DOCKER.resolve("Dockerfile.jvm"));
    static final Dockerfile NATIVE = Dockerfile.read(AppFacts.DOCKER.resolve("Dockerfile.native"));
    static final Dockerfile JVM_AOT = Dockerfile.read(AppFacts.DOCKER.resolve("Dockerfile.jvm-aot"));

    @Test
    void bothImagesStartFromUbiRunAsAnUnprivilegedUserAndExposeTheHttpPort() {
        assertThat(JVM.baseImage()).startsWith("registry.access.redhat.com/ubi9/openjdk-17-runtime:");
        assertThat(NATIVE.baseImage())
                .matches(
                        "quay\\.io/quarkus/ubi9-quarkus-micro-image:.+|registry\\.access\\.redhat\\.com/ubi9/ubi-minimal:.+");
        for (Dockerfile dockerfile : List.of(JVM, NATIVE)) {
            assertThat(dockerfile.baseImage()).as("a pinned base image").doesNotEndWith(":latest");
            String user = dockerfile.last("USER");
            // Numeric, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
            assertThat(user).matches("[0-9]+(:[0-9]+)?");
            assertThat(Integer.parseInt(user.split(":")[0])).as("USER").isPositive();
            assertThat(dockerfile.all("EXPOSE")).containsExactly(AppFacts.HTTP_PORT + " " + AppFacts.MANAGEMENT_PORT);
            // USER comes after everything that needs root and before the process starts.
            List<String> keywords = dockerfile.instructions().stream()
                    .map(Dockerfile.Instruction::keyword)
                    .toList();
            assertThat(keywords.lastIndexOf("USER")).isGreaterThan(keywords.lastIndexOf("RUN"));
            assertThat(keywords.lastIndexOf("USER")).isGreaterThan(keywords.lastIndexOf("COPY"));
            assertThat(keywords.lastIndexOf("USER")).isLessThan(keywords.lastIndexOf("ENTRYPOINT"));
            // Copied files belong to the user that runs them.
            for (Dockerfile.Copy copy : dockerfile.copies()) {
                assertThat(copy.flags().get("chown")).startsWith(user.split(":")[0]);
            }
        }
    }

    @Test
    void jvmImageCopiesTheFastJarLayoutAndRunsQuarkusRunJar() {
        List<Dockerfile.Copy> copies = JVM.copies();
        assertThat(copies.stream().flatMap(c -> c.sources().stream()))
                .containsExactlyInAnyOrderElementsOf(FAST_JAR_LAYOUT);
        for (Dockerfile.Copy copy : copies) {
            String source = copy.sources().get(0);
            String relative = source.substring("target/quarkus-app/".length());
            // lib/ -> /deployments/lib/, *.jar -> /deployments/: the layout is kept as is.
            String expected = relative.endsWith("/") ? "/deployments/" + relative : "/deployments/";
            assertThat(copy.destination()).as("destination of %s", source).isEqualTo(expected);
        }
        assertThat(JVM.env())
                .containsEntry("JAVA_APP_JAR", "/deployments/quarkus-run.jar")
                .hasEntrySatisfying(
                        "JAVA_OPTS_APPEND",
                        opts -> assertThat(opts)
                                .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
                                .contains("-Dquarkus.http.host=0.0.0.0")
                                .endsWith(" " + AppFacts.JVM_OPTIONS))
                .containsEntry("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC");
        assertThat(FileSystems.getDefault()
                        .getPathMatcher("glob:/deployments/*.jar")
                        .matches(Path.of("/deployments/quarkus-run.jar")))
                .as("quarkus-run.jar is among what COPY *.jar brings")
                .isTrue();
        assertThat(JVM.entrypoint()).containsExactly("/opt/jboss/container/java/run/run-java.sh");
    }

    /**
     * The AOT cache holds the class path as training named it, relative to where it ran, with
     * each jar's size and time: the image must keep the aot profile's layout and run the jar by
     * that relative name from its directory, or the JVM ignores the cache.
     */
    @Test
    void aotImageCopiesTheAotLayoutWithItsCacheAndRunsTheJarAsTrainingDid() throws Exception {
        assertThat(AppFacts.pomText())
                .as("the pom's aot profile")
                .contains("<id>aot</id>")
                .contains("<quarkus.package.jar.type>aot-jar</quarkus.package.jar.type>")
                .contains("<quarkus.package.output-directory>quarkus-app-aot</quarkus.package.output-directory>");
        String training = java.nio.file.Files.readString(AppFacts.ROOT.resolve("scripts/build-aot"));
        assertThat(training)
                .contains("app=target/quarkus-app-aot")
                .contains("cd \"$app\"")
                .contains("-XX:AOTCacheOutput=app.aot -jar quarkus-run.jar")
                .contains("$shipped_jvm_options");
        assertThat(JVM_AOT.baseImage()).doesNotEndWith(":latest").matches("[^:]+:25[.0-9_]*-.+");
        assertThat(JVM_AOT.copies().stream().flatMap(c -> c.sources().stream()))
                .containsExactlyInAnyOrder(
                        "target/quarkus-app-aot/lib/",
                        "target/quarkus-app-aot/*.jar",
                        "target/quarkus-app-aot/app/",
                        "target/quarkus-app-aot/quarkus/",
                        "target/quarkus-app-aot/app.aot");
        String user = JVM_AOT.last("USER");
        assertThat(user).matches("[0-9]+");
        for (Dockerfile.Copy copy : JVM_AOT.copies()) {
            assertThat(copy.destination()).startsWith("/deployments/");
            assertThat(copy.flags().get("chown")).isEqualTo(user);
        }
        assertThat(JVM_AOT.all("EXPOSE")).containsExactly(AppFacts.HTTP_PORT + " " + AppFacts.MANAGEMENT_PORT);
        assertThat(JVM_AOT.last("WORKDIR")).isIn("/deployments", "/deployments/");
        assertThat(JVM_AOT.env())
                .hasEntrySatisfying(
                        "JAVA_OPTS_APPEND",
                        opts -> assertThat(opts)
                                .startsWith(JVM.env().get("JAVA_OPTS_APPEND").replace(" " + AppFacts.JVM_OPTIONS, ""))
                                .contains(" -XX:AOTCache=app.aot ")
                                .endsWith(" " + AppFacts.JVM_OPTIONS));
        assertThat(String.join(" ", JVM_AOT.entrypoint()))
                .endsWith("exec java ${JAVA_OPTS_APPEND} -jar quarkus-run.jar");
    }

    @Test
    void nativeImageCopiesTheRunnerThatTheNativeBuildWrites() {
        Dockerfile.Copy copy = NATIVE.copies().stream()
                .filter(c -> c.sources().get(0).endsWith("-runner"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no COPY of target/*-runner"));
        // Quarkus writes target/<artifactId>-<version>-runner; failsafe's native.image.path says so too.
        String runner = "target/" + AppFacts.finalName() + "-runner";
        assertThat(FileSystems.getDefault()
                        .getPathMatcher("glob:" + copy.sources().get(0))
                        .matches(Path.of(runner)))
                .isTrue();
        assertThat(AppFacts.pomText())
                .contains(
                        "<native.image.path>${project.build.directory}/${project.build.finalName}-runner</native.image.path>");
        assertThat(copy.flags()).containsEntry("chmod", "0755");
        assertThat(copy.destination()).isEqualTo("/opt/sluice/application");
        assertThat(NATIVE.last("WORKDIR")).isIn("/opt/sluice", "/opt/sluice/");
        assertThat(NATIVE.entrypoint()).containsExactly("./application", "-Dquarkus.http.host=0.0.0.0");
        assertThat(AppFacts.pomText())
                .as("the pom's native profile")
                .contains("<id>native</id>")
                .contains("<quarkus.native.enabled>true</quarkus.native.enabled>");
    }

    /**
     * What users run locally and what the README tells them is what the image runs, and what the
     * benchmarks measure with.
     */
    @Test
    void runLocalTheReadmeAndTheBenchmarksUseTheImagesHeapAndCollector() throws Exception {
        assertThat(java.nio.file.Files.readString(AppFacts.ROOT.resolve("scripts/run-local")))
                .contains("exec java " + AppFacts.JVM_OPTIONS + " ");
        assertThat(java.nio.file.Files.readString(AppFacts.ROOT.resolve("scripts/lib/shipped-jvm.sh")))
                .contains("shipped_jvm_options=\"" + AppFacts.JVM_OPTIONS + "\"");
        assertThat(java.nio.file.Files.readString(AppFacts.ROOT.resolve("README.md")))
                .contains(AppFacts.JVM_OPTIONS);
    }
}
