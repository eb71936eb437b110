package io.sluice.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the reference of every {@code sluice.*} setting. The settings are
 * read from the code — the {@link SluiceConfig} mapping, the {@code sluice.} keys of
 * application.properties and any {@code @ConfigProperty(name = "sluice...")} — so a setting
 * added without a line in the reference fails here, as does a line for a setting that is gone.
 */
class ConfigurationReferenceTest {

    /** The working directory of the tests is the project root (as in io.sluice.deploy.AppFacts). */
    static final Path ROOT = Path.of("").toAbsolutePath();

    static final Path REFERENCE = ROOT.resolve("docs/configuration.md");

    private static final Pattern PROPERTIES_KEY = Pattern.compile("^(?:%[^.\\s]+\\.)?(sluice\\.[^=:\\s]+)\\s*[=:]");
    private static final Pattern CONFIG_PROPERTY =
            Pattern.compile("@ConfigProperty\\s*\\([^)]*?\\bname\\s*=\\s*\"(sluice\\.[^\"]+)\"");
    private static final Pattern CONFIG_LOOKUP =
            Pattern.compile("get(?:Optional)?Value\\s*\\(\\s*\"(sluice\\.[^\"]+)\"");
    private static final Pattern TABLE_PROPERTY = Pattern.compile("^\\|\\s*`(sluice\\.[^`]+)`\\s*\\|");

    @Test
    void everySettingOfTheCodeIsDocumentedWithItsEnvironmentVariable() {
        Map<String, Optional<String>> properties = codeProperties();
        List<String> lines = referenceLines();

        List<String> missing = new ArrayList<>();
        properties.forEach((property, defaultValue) -> {
            String env = envName(property);
            boolean documented = lines.stream()
                    .anyMatch(line -> line.contains("`" + property + "`") && line.contains("`" + env + "`"));
            if (!documented) {
                missing.add(property + " (" + env + ")");
            }
        });
        assertThat(missing)
                .as("settings without a line in docs/configuration.md naming the property and its environment"
                        + " variable, each in backticks")
                .isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsTheCodesDefault() {
        List<String> lines = referenceLines();
        List<String> wrong = new ArrayList<>();
        mappingProperties()
                .forEach((property, defaultValue) -> defaultValue.ifPresent(value -> {
                    boolean shown = lines.stream()
                            .filter(line -> TABLE_PROPERTY.matcher(line).find())
                            .filter(line -> line.contains("`" + property + "`"))
                            .anyMatch(line -> line.contains("`" + value + "`"));
                    if (!shown) {
                        wrong.add(property + " = " + value);
                    }
                }));
        assertThat(wrong)
                .as("settings whose table row does not show the @WithDefault value")
                .isEmpty();
    }

    @Test
    void everyDocumentedSettingExistsInTheCode() {
        Map<String, Optional<String>> properties = codeProperties();
        List<String> stale = referenceLines().stream()
                .map(TABLE_PROPERTY::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .filter(property -> !properties.containsKey(property))
                .toList();
        assertThat(stale)
                .as("rows of docs/configuration.md for settings the code does not have")
                .isEmpty();
    }

    @Test
    void theMappingIsWalkedIntoItsNestedGroups() {
        // Guards the walk itself: a walk that found nothing would make the tests above pass vacuously.
        assertThat(mappingProperties())
                .containsKeys(
                        "sluice.topics.dead-letter",
                        "sluice.ingest.max-events-per-request",
                        "sluice.security.bootstrap-admin-key",
                        "sluice.security.rate-limit.requests",
                        "sluice.alerts.stream.catch-up-page",
                        "sluice.sink.fault.halt-on-occurrence")
                .containsEntry("sluice.ingest.max-in-flight-bytes", Optional.of("32M"))
                .containsEntry("sluice.security.bootstrap-admin-key", Optional.empty());
        assertThat(envName("sluice.ingest.max-events-per-request")).isEqualTo("SLUICE_INGEST_MAX_EVENTS_PER_REQUEST");
        assertThat(kebab("maxInFlightBytes")).isEqualTo("max-in-flight-bytes");
        assertThat(kebab("catchUpPage")).isEqualTo("catch-up-page");
    }

    /** Every sluice.* setting the code knows, with its default where the mapping gives one. */
    static Map<String, Optional<String>> codeProperties() {
        Map<String, Optional<String>> properties = new TreeMap<>(mappingProperties());
        for (String key : propertiesFileKeys()) {
            properties.putIfAbsent(key, Optional.empty());
        }
        for (String key : javaSourceKeys()) {
            properties.putIfAbsent(key, Optional.empty());
        }
        return properties;
    }

    /** The properties of the {@link SluiceConfig} mapping, walked by reflection. */
    static Map<String, Optional<String>> mappingProperties() {
        Map<String, Optional<String>> properties = new TreeMap<>();
        String prefix = SluiceConfig.class.getAnnotation(ConfigMapping.class).prefix();
        walk(SluiceConfig.class, prefix, properties);
        return properties;
    }

    private static void walk(Class<?> group, String prefix, Map<String, Optional<String>> properties) {
        Method[] methods = group.getMethods();
        java.util.Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method method : methods) {
            if (!Modifier.isAbstract(method.getModifiers())
                    || Modifier.isStatic(method.getModifiers())
                    || method.getParameterCount() != 0
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = prefix;
            if (!method.isAnnotationPresent(WithParentName.class)) {
                WithName withName = method.getAnnotation(WithName.class);
                name = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            }
            Optional<Class<?>> nested = nestedGroup(method.getGenericReturnType());
            if (nested.isPresent()) {
                walk(nested.get(), name, properties);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                properties.put(name, Optional.ofNullable(withDefault).map(WithDefault::value));
            }
        }
    }

    /** The group a method returns: an interface declared inside SluiceConfig, bare or in an Optional. */
    private static Optional<Class<?>> nestedGroup(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Optional.class) {
            return nestedGroup(parameterized.getActualTypeArguments()[0]);
        }
        if (type instanceof Class<?> c && c.isInterface() && declaredInside(c, SluiceConfig.class)) {
            return Optional.of(c);
        }
        return Optional.empty();
    }

    private static boolean declaredInside(Class<?> c, Class<?> outer) {
        for (Class<?> enclosing = c.getEnclosingClass(); enclosing != null; enclosing = enclosing.getEnclosingClass()) {
            if (enclosing == outer) {
                return true;
            }
        }
        return false;
    }

    /** SmallRye Config's naming: maxInFlightBytes -> max-in-flight-bytes. */
    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT);
    }

    /** The Quarkus rule: upper case, every character that is not a letter or digit becomes _. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** sluice.* keys of application.properties, profile prefixes such as %prod. dropped. */
    static TreeSet<String> propertiesFileKeys() {
        TreeSet<String> keys = new TreeSet<>();
        for (String line : readLines(ROOT.resolve("src/main/resources/application.properties"))) {
            Matcher m = PROPERTIES_KEY.matcher(line.strip());
            if (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    /** sluice.* names the Java sources read directly: @ConfigProperty(name = ...) and getValue/getOptionalValue. */
    static TreeSet<String> javaSourceKeys() {
        TreeSet<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                for (Pattern pattern : List.of(CONFIG_PROPERTY, CONFIG_LOOKUP)) {
                    Matcher m = pattern.matcher(text);
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    private static List<String> referenceLines() {
        assertThat(REFERENCE).exists();
        return readLines(REFERENCE);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
