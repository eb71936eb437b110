package io.sluice.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The feature packages under {@code io.sluice} and what each may use: dependencies point one
 * way, from the features a request reaches first down to the shared vocabulary. A new package
 * must say its place here; a new arrow must be added here on purpose, and no arrow may close a
 * cycle. docs/architecture.md draws the same graph.
 */
class PackageGraphTest {

    /** Each package and the other Sluice packages it may depend on. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            // The shared vocabulary, depending on nothing of Sluice's, or on each other only.
            Map.entry("config", Set.of()),
            Map.entry("error", Set.of()),
            Map.entry("event", Set.of()),
            Map.entry("kafka", Set.of()),
            Map.entry("dedup", Set.of()),
            Map.entry("schema", Set.of("config")),
            Map.entry("caller", Set.of("error")),
            Map.entry("record", Set.of("event")),
            // Services the features below build on.
            Map.entry("audit", Set.of("caller", "error")),
            Map.entry("quota", Set.of("audit", "caller", "config", "error")),
            Map.entry("security", Set.of("audit", "caller", "config", "error", "quota")),
            Map.entry("reconcile", Set.of("caller", "config", "error", "kafka", "record")),
            Map.entry("rules", Set.of("audit", "caller", "error", "quota")),
            // The data path: ingest writes the events topic, the sink reads it.
            Map.entry("ingest", Set.of("caller", "config", "error", "event", "kafka", "reconcile", "record")),
            Map.entry("alerts", Set.of("caller", "config", "error", "rules", "security")),
            Map.entry("sink", Set.of("alerts", "config", "dedup", "event", "kafka", "record", "rules")),
            // What operators use beside the data path.
            Map.entry("dlq", Set.of("audit", "caller", "error", "ingest", "record")),
            Map.entry("replay", Set.of("audit", "caller", "config", "error", "quota", "record", "sink")),
            Map.entry("lookup", Set.of("caller", "error")),
            Map.entry("pitfalls", Set.of("caller", "config", "ingest", "kafka", "security")),
            Map.entry("health", Set.of("config", "ingest", "kafka")),
            Map.entry("dashboard", Set.of("caller", "pitfalls", "reconcile", "sink")),
            Map.entry("api", Set.of("error")));

    private static JavaClasses main;

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sluice");
    }

    @Test
    void everyPackageHasAPlaceInTheGraph() {
        Set<String> packages = new TreeSet<>();
        main.forEach(type -> {
            String name = type.getPackageName();
            if (name.startsWith("io.sluice.")) {
                packages.add(name.substring("io.sluice.".length()).split("\\.")[0]);
            }
        });
        assertThat(packages).as("packages under io.sluice").isEqualTo(new TreeSet<>(ALLOWED.keySet()));
    }

    @Test
    void eachPackageUsesOnlyWhatItIsAllowedTo() {
        ALLOWED.forEach((from, allowed) -> {
            String[] forbidden = ALLOWED.keySet().stream()
                    .filter(to -> !to.equals(from) && !allowed.contains(to))
                    .map(to -> "io.sluice." + to + "..")
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage("io.sluice." + from + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(forbidden)
                    .because("io.sluice." + from + " may use only " + allowed + " (PackageGraphTest.ALLOWED)")
                    .allowEmptyShould(true)
                    .check(main);
        });
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        slices().matching("io.sluice.(*)..").should().beFreeOfCycles().check(main);
    }
}
