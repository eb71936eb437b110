package io.sluice.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the deployment files must agree with, read from the application's own build and
 * configuration rather than copied into the tests: a change there makes these tests fail
 * instead of leaving the charts silently out of date.
 */
final class AppFacts {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path CHART = ROOT.resolve("helm/sluice");
    static final Path K8S = ROOT.resolve("k8s");
    static final Path DOCKER = ROOT.resolve("src/main/docker");
    static final Path PRODUCTION_VALUES = ROOT.resolve("src/test/resources/deploy/values-production.yaml");
    static final Path INVALID_VALUES = ROOT.resolve("src/test/resources/deploy/invalid-values");

    static final int HTTP_PORT = 8080;
    /** The management interface's port (health and metrics), as the application sets it. */
    static final int MANAGEMENT_PORT =
            Integer.parseInt(prodProperty("quarkus.management.port").orElseThrow());
    /** The JVM image's heap and collector: what the ingest benchmark measured with (docs/benchmarks.md). */
    static final String JVM_OPTIONS = "-Xms256m -Xmx256m -XX:+UseParallelGC";

    private static final Pattern MEMORY_SIZE = Pattern.compile("(\\d+)([KMGT]?)", Pattern.CASE_INSENSITIVE);

    private AppFacts() {}

    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** A property of the prod profile: %prod.key if present, else key. */
    static Optional<String> prodProperty(String key) {
        Properties properties = applicationProperties();
        return Optional.ofNullable(properties.getProperty("%prod." + key, properties.getProperty(key)));
    }

    /** Every byte-size property (default or prod profile) whose name matches the pattern. */
    static List<Long> sizes(String namePattern) {
        Pattern pattern = Pattern.compile("(%prod\\.)?" + namePattern);
        Properties properties = applicationProperties();
        return properties.stringPropertyNames().stream()
                .filter(name -> pattern.matcher(name).matches())
                .map(name -> Long.parseLong(properties.getProperty(name).trim()))
                .toList();
    }

    /** The HTTP body limit in bytes (Quarkus MemorySize: binary suffixes). */
    static long httpBodyLimitBytes() {
        return prodProperty("quarkus.http.limits.max-body-size")
                .map(AppFacts::memorySize)
                .orElse(10L * 1024 * 1024); // the Quarkus default
    }

    static long memorySize(String value) {
        Matcher m = MEMORY_SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory size: " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            case "T" -> n << 40;
            default -> n;
        };
    }

    /**
     * The environment variable names that map onto properties the application declares, by the
     * SmallRye Config rule: upper case, every character that is not a letter or digit becomes _.
     */
    static Set<String> declaredEnvNames() {
        return applicationProperties().stringPropertyNames().stream()
                .filter(name -> !name.startsWith("%"))
                .map(AppFacts::envName)
                .collect(Collectors.toSet());
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static String pomText() {
        try {
            return Files.readString(ROOT.resolve("pom.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's own artifactId and version: the first ones after the parent-less header. */
    static String finalName() {
        String pom = pomText();
        String header = pom.substring(0, pom.indexOf("<properties>"));
        return tag(header, "artifactId") + "-" + tag(header, "version");
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(xml);
        if (!m.find()) {
            throw new IllegalStateException("no <" + name + "> in pom.xml");
        }
        return m.group(1).trim();
    }
}
