package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.sluice.deploy.CustomResources.KafkaTopic;
import io.sluice.deploy.CustomResources.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints and renders helm/sluice with real Helm 3 (helm-java embeds Helm's Go library), parses
 * every rendered object strictly into the Kubernetes model and checks what the deployment
 * promises: probes, non-root and read-only, resources, disruption budget, autoscaling, network
 * policy, Strimzi topics with RF 3 / min ISR 2 / no unclean election.
 */
class HelmChartTest {

    private static final String RELEASE = "sluice";
    private static final String NAMESPACE = "ingest";

    @Test
    void lintPassesWithDefaultValues() {
        assertLintPasses(new Helm(AppFacts.CHART).lint().strict().call());
    }

    @Test
    void lintPassesWithProductionValues(@TempDir Path scratch) {
        // helm-java's lint takes no values file: lint a copy whose values.yaml holds the
        // production values merged over the defaults, as Helm itself would merge them.
        Path chart = scratchChart(scratch, UnaryOperator.identity());
        writeMergedValues(chart, AppFacts.PRODUCTION_VALUES);
        assertLintPasses(new Helm(chart).lint().strict().call());
    }

    @Test
    void lintFailsOnValuesThatViolateTheSchema(@TempDir Path scratch) {
        Path chart = scratchChart(scratch, UnaryOperator.identity());
        writeMergedValues(chart, AppFacts.INVALID_VALUES.resolve("jdbc-url.yaml"));
        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("config.datasource.reactiveUrl");
    }

    @Test
    void defaultValuesRenderAStrictlyValidRelease() {
        Manifests manifests = StrictYaml.manifests(template(AppFacts.CHART).call());

        ManifestChecks.checkAll(manifests);
        assertThat(manifests.kinds())
                .containsExactlyInAnyOrder(
                        "NetworkPolicy",
                        "PodDisruptionBudget",
                        "ServiceAccount",
                        "ConfigMap",
                        "Service",
                        "Service",
                        "Deployment",
                        "HorizontalPodAutoscaler");
        assertThat(manifests.has(Secret.class))
                .as("the chart never renders a Secret")
                .isFalse();

        Deployment deployment = manifests.one(Deployment.class);
        Container container = ManifestChecks.container(deployment);
        assertThat(container.getImage()).isEqualTo("sluice/sluice:" + appVersion() + "-native");
        assertThat(container.getEnv()).as("no Secret referenced by default").isNullOrEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("checksum/config");
        assertThat(deployment
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal())
                .isZero();
        assertThat(manifests.one(ServiceAccount.class).getAutomountServiceAccountToken())
                .isFalse();

        PodDisruptionBudget pdb = manifests.one(PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMetrics())
                .singleElement()
                .satisfies(metric -> assertThat(metric.getResource().getTarget().getAverageUtilization())
                        .isEqualTo(70));

        Map<String, String> config = manifests.one(ConfigMap.class).getData();
        assertThat(config.keySet())
                .as("every setting the chart passes is one the application declares")
                .isSubsetOf(AppFacts.declaredEnvNames())
                .as("the connection's address, without trusted proxies")
                .noneMatch(name -> name.startsWith("QUARKUS_HTTP_PROXY_"));
        var properties = AppFacts.applicationProperties();
        assertThat(config)
                .as("the chart's default topic names are the application's")
                .containsEntry("SLUICE_TOPICS_EVENTS", properties.getProperty("sluice.topics.events"))
                .containsEntry("SLUICE_TOPICS_DEAD_LETTER", properties.getProperty("sluice.topics.dead-letter"))
                .containsEntry("SLUICE_TOPICS_ALERTS", properties.getProperty("sluice.topics.alerts"));
    }

    @Test
    void productionValuesRenderAStrictlyValidRelease() {
        Manifests manifests = StrictYaml.manifests(template(AppFacts.CHART)
                .withValuesFile(AppFacts.PRODUCTION_VALUES)
                .call());

        ManifestChecks.checkAll(manifests);
        assertThat(manifests.all(KafkaTopic.class)).hasSize(3);
        assertThat(manifests.has(ServiceMonitor.class)).isTrue();
        assertThat(manifests.has(Ingress.class)).isTrue();
        assertThat(manifests.has(Secret.class)).isFalse();

        Deployment deployment = manifests.one(Deployment.class);
        Container container = ManifestChecks.container(deployment);
        assertThat(container.getImage()).matches("registry\\.example\\.com/platform/sluice@sha256:[0-9a-f]{64}");
        assertThat(deployment.getSpec().getTemplate().getSpec().getPriorityClassName())
                .isEqualTo("ingest-critical");
        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .extracting(TopologySpreadConstraint::getWhenUnsatisfiable)
                .containsOnly("DoNotSchedule");

        Map<String, String> secretRefs = container.getEnv().stream()
                .collect(Collectors.toMap(
                        EnvVar::getName,
                        env -> env.getValueFrom().getSecretKeyRef().getName()
                                + "/"
                                + env.getValueFrom().getSecretKeyRef().getKey()));
        assertThat(secretRefs)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "QUARKUS_DATASOURCE_USERNAME", "sluice-db/username",
                        "QUARKUS_DATASOURCE_PASSWORD", "sluice-db/password",
                        "QUARKUS_REDIS_PASSWORD", "sluice-redis/password",
                        "KAFKA_SASL_JAAS_CONFIG", "sluice-kafka-user/sasl.jaas.config",
                        "SLUICE_SECURITY_BOOTSTRAP_ADMIN_KEY", "sluice-bootstrap/bootstrap-admin-key"));
        Map<String, String> config = manifests.one(ConfigMap.class).getData();
        assertThat(config)
                .doesNotContainKey("QUARKUS_DATASOURCE_USERNAME")
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                // Behind the Ingress: the client address from X-Forwarded-For, sent by the controller only.
                .containsEntry("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true")
                .containsEntry("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true")
                .containsEntry("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "10.244.0.0/16");

        PodDisruptionBudget pdb = manifests.one(PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(pdb.getSpec().getMaxUnavailable()).isNull();

        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(12);
        assertThat(hpa.getSpec().getMetrics()).anySatisfy(metric -> {
            assertThat(metric.getType()).isEqualTo("External");
            assertThat(metric.getExternal().getMetric().getName()).isEqualTo("kafka_consumergroup_lag");
            assertThat(metric.getExternal().getTarget().getAverageValue().toString())
                    .isEqualTo("5000");
        });

        NetworkPolicy policy = manifests.one(NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress().get(0).getFrom())
                .as("the ingress controller's namespace and the helm test pod")
                .hasSize(2);
        assertThat(policy.getSpec().getIngress().get(1).getFrom())
                .as("the management port: the release's namespace and Prometheus's")
                .extracting(peer -> peer.getNamespaceSelector() == null
                        ? "pods " + peer.getPodSelector().getMatchLabels()
                        : "namespace " + peer.getNamespaceSelector().getMatchLabels())
                .containsExactly("pods {}", "namespace {kubernetes.io/metadata.name=monitoring}");
        assertThat(policy.getSpec().getEgress())
                .anySatisfy(rule -> assertThat(rule.getTo()).hasSize(3));

        for (KafkaTopic topic : manifests.all(KafkaTopic.class)) {
            assertThat(topic.metadata().getNamespace())
                    .as("Strimzi's namespace")
                    .isEqualTo("kafka");
            assertThat(topic.metadata().getLabels()).containsEntry("strimzi.io/cluster", "events");
            assertThat(topic.metadata().getAnnotations())
                    .as("uninstalling Sluice keeps its data")
                    .containsEntry("helm.sh/resource-policy", "keep");
        }
        Map<String, KafkaTopic> topics = manifests.all(KafkaTopic.class).stream()
                .collect(Collectors.toMap(t -> t.spec().topicName(), t -> t));
        assertThat(topics.keySet())
                .containsExactlyInAnyOrder(
                        config.get("SLUICE_TOPICS_EVENTS"),
                        config.get("SLUICE_TOPICS_DEAD_LETTER"),
                        config.get("SLUICE_TOPICS_ALERTS"));
        KafkaTopic events = topics.get("sluice.events");
        assertThat(events.spec().partitions()).isEqualTo(24);
        assertThat(events.spec().config())
                .containsEntry("retention.ms", 1209600000)
                .containsEntry("compression.type", "producer")
                .containsEntry("max.message.bytes", 2097152);
        assertThat(topics.get("sluice.events.dlq").spec().config()).containsEntry("retention.ms", 2592000000L);
    }

    @Test
    void jvmFlavorSelectsTheJvmImageWithTheMeasuredHeapAndCollector() {
        Manifests manifests = StrictYaml.manifests(template(AppFacts.CHART)
                .set("image.flavor", "jvm")
                .set("resources.limits.memory", "768Mi")
                .set("autoscaling.enabled", "false")
                .call());

        ManifestChecks.checkAll(manifests);
        Deployment deployment = manifests.one(Deployment.class);
        Container container = ManifestChecks.container(deployment);
        assertThat(container.getImage()).isEqualTo("sluice/sluice:" + appVersion() + "-jvm");
        assertThat(container.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("JAVA_OPTS_APPEND");
            // The image's own options first (setting the variable replaces them), then the chart's.
            assertThat(env.getValue())
                    .isEqualTo(DockerfileTest.JVM.env().get("JAVA_OPTS_APPEND"))
                    .endsWith(" " + AppFacts.JVM_OPTIONS);
        });
        assertThat(deployment.getSpec().getReplicas())
                .as("without an HPA the chart sets the replicas")
                .isEqualTo(2);
        assertThat(manifests.has(HorizontalPodAutoscaler.class)).isFalse();
    }

    @Test
    void jvmAotFlavorNamesTheImagesCacheBesideTheHeapAndCollectorItWasTrainedWith() {
        Manifests manifests = StrictYaml.manifests(template(AppFacts.CHART)
                .set("image.flavor", "jvm-aot")
                .set("resources.limits.memory", "768Mi")
                .call());

        ManifestChecks.checkAll(manifests);
        Container container = ManifestChecks.container(manifests.one(Deployment.class));
        assertThat(container.getImage()).isEqualTo("sluice/sluice:" + appVersion() + "-jvm-aot");
        assertThat(container.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("JAVA_OPTS_APPEND");
            assertThat(env.getValue()).isEqualTo(DockerfileTest.JVM_AOT.env().get("JAVA_OPTS_APPEND"));
        });
        assertThat(notes(new Helm(AppFacts.CHART)
                        .install()
                        .set("image.flavor", "jvm-aot")
                        .set("resources.limits.memory", "512Mi")))
                .contains("give it at least 768Mi");
    }

    @Test
    void theManagementPortStaysInsideTheClusterWhateverTheApiIsExposedBy() {
        Manifests manifests = StrictYaml.manifests(template(AppFacts.CHART)
                .set("service.type", "LoadBalancer")
                .set("ingress.enabled", "true")
                .set("serviceMonitor.enabled", "true")
                .call());

        ManifestChecks.checkAll(manifests);
        Service api = ManifestChecks.apiService(manifests);
        Service management = ManifestChecks.managementService(manifests);
        assertThat(api.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(management.getSpec().getType())
                .as("the API's Service type never reaches the management Service")
                .isEqualTo("ClusterIP");
        assertThat(management.getMetadata().getName())
                .isEqualTo(api.getMetadata().getName() + "-management");
        assertThat(manifests.one(Ingress.class).getSpec().getRules())
                .flatExtracting(rule -> rule.getHttp().getPaths())
                .extracting(path -> path.getBackend().getService().getPort().getName())
                .containsOnly("http");
        NetworkPolicy policy = manifests.one(NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress().get(1).getFrom())
                .as("by default the release's namespace alone")
                .singleElement()
                .satisfies(peer -> {
                    assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
                    assertThat(peer.getNamespaceSelector()).isNull();
                });
    }

    @Test
    void helmTestPodAsksTheServiceForReadiness(@TempDir Path scratch) throws IOException {
        Path hook = AppFacts.CHART.resolve("templates/tests/test-connection.yaml");
        assertThat(Files.readString(hook)).contains("\"helm.sh/hook\": test");

        // helm-java's template leaves hooks out of its output, so render a copy of the chart
        // whose test hook is an ordinary manifest.
        Path chart = scratchChart(
                scratch,
                text -> text.lines()
                        .filter(line -> !line.contains("\"helm.sh/hook"))
                        .collect(Collectors.joining("\n", "", "\n")));
        Manifests manifests = StrictYaml.manifests(template(chart).call());

        Pod pod = manifests.one(Pod.class);
        Service management = ManifestChecks.managementService(manifests);
        Service api = ManifestChecks.apiService(manifests);
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        for (Container container : pod.getSpec().getContainers()) {
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem())
                    .isTrue();
            assertThat(container.getResources().getLimits()).containsKey("memory");
        }
        assertThat(pod.getSpec().getContainers())
                .flatExtracting(Container::getCommand)
                .as("readiness on the management Service, the API through its own")
                .contains(
                        "http://" + management.getMetadata().getName() + ":"
                                + management.getSpec().getPorts().get(0).getPort() + "/q/health/ready",
                        "http://" + api.getMetadata().getName() + ":"
                                + api.getSpec().getPorts().get(0).getPort() + "/q/openapi");
        assertThat(pod.getMetadata().getLabels())
                .as("the label the NetworkPolicy lets in")
                .containsEntry("app.kubernetes.io/component", "test");
    }

    @Test
    void notesSayWhatTheChartDoesNotInstallAndWarnAboutATightJvm() {
        String defaults = notes(new Helm(AppFacts.CHART).install());
        assertThat(defaults)
                .contains("my-cluster-kafka-bootstrap:9092")
                .contains("min.insync.replicas 2")
                .contains("No bootstrap admin key is configured")
                .doesNotContain("WARNING");
        assertThat(notes(new Helm(AppFacts.CHART).install().set("ingress.enabled", "true")))
                .contains("WARNING: ingress.trustedProxies is empty");

        String production = notes(new Helm(AppFacts.CHART).install().withValuesFile(AppFacts.PRODUCTION_VALUES));
        assertThat(production)
                .contains("https://events.example.com/")
                .contains("get secret sluice-bootstrap")
                .doesNotContain("must exist with");

        String tightJvm = notes(new Helm(AppFacts.CHART).install().set("image.flavor", "jvm"));
        assertThat(tightJvm).contains("WARNING: the JVM image runs with a memory limit of 384Mi");
        // 535 MB resident with the sink at full speed (docs/deploy.md): 512Mi is not enough.
        assertThat(notes(new Helm(AppFacts.CHART)
                        .install()
                        .set("image.flavor", "jvm")
                        .set("resources.limits.memory", "512Mi")))
                .contains("give it at least 768Mi");
        assertThat(notes(new Helm(AppFacts.CHART)
                        .install()
                        .set("image.flavor", "jvm")
                        .set("resources.limits.memory", "768Mi")))
                .doesNotContain("WARNING");
    }

    /** NOTES.txt as `helm install --dry-run` prints it; no cluster is contacted. */
    private static String notes(InstallCommand install) {
        return install.withName(RELEASE)
                .withNamespace(NAMESPACE)
                .dryRun()
                .withDryRunOption(DryRun.CLIENT)
                .clientOnly()
                .call()
                .getOutput();
    }

    static Stream<Path> invalidValues() throws IOException {
        try (Stream<Path> files = Files.list(AppFacts.INVALID_VALUES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Each file starts with "# expect: <part of Helm's error message>". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void valuesThatBreakAPromiseAreRejected(Path values) throws IOException {
        String expected = Files.readAllLines(values).get(0).replaceFirst("^# expect: ", "");
        assertThatThrownBy(() -> template(AppFacts.CHART).withValuesFile(values).call())
                .hasMessageContaining(expected);
    }

    private static TemplateCommand template(Path chart) {
        return new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
    }

    private static void assertLintPasses(LintResult result) {
        assertThat(result.getMessages())
                .as("lint messages")
                .noneMatch(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"));
        assertThat(result.isFailed()).isFalse();
    }

    private static String appVersion() {
        JsonNode chart =
                StrictYaml.documents(AppFacts.CHART.resolve("Chart.yaml")).get(0);
        return chart.get("appVersion").asText();
    }

    /** A copy of the chart, every template passed through the given edit. */
    private static Path scratchChart(Path scratch, UnaryOperator<String> templateEdit) {
        Path target = scratch.resolve("sluice");
        try (Stream<Path> files = Files.walk(AppFacts.CHART)) {
            for (Path source : files.toList()) {
                Path copy = target.resolve(AppFacts.CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else if (source.startsWith(AppFacts.CHART.resolve("templates"))) {
                    Files.writeString(copy, templateEdit.apply(Files.readString(source)));
                } else {
                    Files.copy(source, copy);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void writeMergedValues(Path chart, Path overrides) {
        ObjectNode values =
                (ObjectNode) StrictYaml.documents(chart.resolve("values.yaml")).get(0);
        coalesce(values, (ObjectNode) StrictYaml.documents(overrides).get(0));
        try {
            Files.writeString(chart.resolve("values.yaml"), StrictYaml.MAPPER.writeValueAsString(values));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's merge: maps merge key by key, anything else replaces, and null deletes. */
    private static void coalesce(ObjectNode base, ObjectNode overrides) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode current = base.get(entry.getKey());
            if (entry.getValue().isNull()) {
                base.remove(entry.getKey());
            } else if (current instanceof ObjectNode target && entry.getValue() instanceof ObjectNode source) {
                coalesce(target, source);
            } else {
                base.set(entry.getKey(), entry.getValue());
            }
        }
    }
}
