package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.sluice.deploy.CustomResources.KafkaTopic;
import io.sluice.deploy.CustomResources.ServiceMonitor;
import io.sluice.security.BootstrapKeySettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * k8s/: every YAML file is parsed strictly (kustomizations into their own strict record,
 * everything else into the Kubernetes model), whether or not a kustomize binary exists; the
 * built overlays are rendered with `kubectl kustomize` (or `kustomize build`) where one is on
 * the PATH, and the test is skipped, saying so, where none is.
 */
class KustomizeTest {

    private static final Set<String> PATCH_OPERATIONS = Set.of("add", "remove", "replace", "move", "copy", "test");

    @Test
    void everyYamlFileUnderK8sParsesStrictly() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(AppFacts.K8S)) {
            files = walk.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        int kustomizations = 0;
        int objects = 0;
        for (Path file : files) {
            if (file.getFileName().toString().startsWith("kustomization.")) {
                checkKustomization(file);
                kustomizations++;
            } else {
                List<JsonNode> documents = StrictYaml.documents(file);
                assertThat(documents).as("%s holds objects", file).isNotEmpty();
                for (JsonNode document : documents) {
                    StrictYaml.object(document);
                    objects++;
                }
            }
        }
        // base, two components, two overlays, topics.
        assertThat(kustomizations).isEqualTo(6);
        assertThat(objects).isGreaterThanOrEqualTo(12);
    }

    @Test
    void baseConfigurationIsWhatTheApplicationReads() {
        Map<String, String> config = literals(
                kustomization(AppFacts.K8S.resolve("base")).configMapGenerator().get(0));
        assertThat(config.keySet()).isSubsetOf(AppFacts.declaredEnvNames());
        var properties = AppFacts.applicationProperties();
        assertThat(config)
                .containsEntry("SLUICE_TOPICS_EVENTS", properties.getProperty("sluice.topics.events"))
                .containsEntry("SLUICE_TOPICS_DEAD_LETTER", properties.getProperty("sluice.topics.dead-letter"))
                .containsEntry("SLUICE_TOPICS_ALERTS", properties.getProperty("sluice.topics.alerts"));

        Deployment deployment =
                (Deployment) StrictYaml.object(StrictYaml.documents(AppFacts.K8S.resolve("base/deployment.yaml"))
                        .get(0));
        ManifestChecks.checkPod(deployment.getSpec().getTemplate().getSpec());
    }

    @Test
    void topicSourcesAreDurable() {
        List<KafkaTopic> topics = StrictYaml.documents(AppFacts.K8S.resolve("topics/kafkatopics.yaml")).stream()
                .map(document -> (KafkaTopic) StrictYaml.object(document))
                .toList();
        assertThat(topics)
                .extracting(t -> t.spec().topicName())
                .containsExactlyInAnyOrder("sluice.events", "sluice.events.dlq", "sluice.alerts");
        for (KafkaTopic topic : topics) {
            // The strimzi.io/cluster label is added by the topics kustomization.
            var labelled = new KafkaTopic(
                    topic.apiVersion(),
                    topic.kind(),
                    new ObjectMetaBuilder(topic.metadata())
                            .addToLabels("strimzi.io/cluster", "my-cluster")
                            .build(),
                    topic.spec());
            ManifestChecks.checkTopic(labelled);
        }
    }

    @Test
    void baseBuildsToAStrictlyValidSet() {
        Manifests manifests = build("base");
        ManifestChecks.checkAll(manifests);
        assertThat(manifests.kinds())
                .containsExactlyInAnyOrder(
                        "ServiceAccount", "ConfigMap", "Service", "Service", "Deployment", "NetworkPolicy");
        assertThat(manifests
                        .one(NetworkPolicy.class)
                        .getSpec()
                        .getIngress()
                        .get(1)
                        .getFrom())
                .as("the management port: the namespace's own pods alone")
                .singleElement()
                .satisfies(peer -> {
                    assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
                    assertThat(peer.getNamespaceSelector()).isNull();
                });
        assertThat(ManifestChecks.container(manifests.one(Deployment.class)).getImage())
                .isEqualTo("sluice/sluice:0.1.0-native");
    }

    @Test
    void devOverlayRunsOneJvmReplicaWithGeneratedCredentials() {
        Manifests manifests = build("overlays/dev");
        ManifestChecks.checkAll(manifests);
        assertThat(namespaces(manifests)).containsOnly("sluice-dev");

        Deployment deployment = manifests.one(Deployment.class);
        Container container = ManifestChecks.container(deployment);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(container.getImage()).isEqualTo("sluice/sluice:0.1.0-jvm");
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("JAVA_OPTS_APPEND");
            assertThat(env.getValue()).isEqualTo(DockerfileTest.JVM.env().get("JAVA_OPTS_APPEND"));
        });
        assertThat(manifests.has(HorizontalPodAutoscaler.class)).isFalse();

        // Every required Secret reference resolves to a generated (hash-suffixed) Secret.
        Set<String> secrets = manifests.all(Secret.class).stream()
                .map(s -> s.getMetadata().getName())
                .collect(Collectors.toSet());
        for (SecretKeySelector ref : secretRefs(container)) {
            if (!Boolean.TRUE.equals(ref.getOptional())) {
                assertThat(secrets).contains(ref.getName());
                Secret secret = manifests.all(Secret.class).stream()
                        .filter(s -> s.getMetadata().getName().equals(ref.getName()))
                        .findFirst()
                        .orElseThrow();
                assertThat(secret.getData()).containsKey(ref.getKey());
            }
        }
        assertThat(manifests.one(ConfigMap.class).getData()).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        // The generated bootstrap key passes Sluice's start-up check of its strength.
        Secret bootstrap = manifests.all(Secret.class).stream()
                .filter(s -> s.getMetadata().getName().startsWith("sluice-bootstrap"))
                .findFirst()
                .orElseThrow();
        String key = new String(
                Base64.getDecoder().decode(bootstrap.getData().get("bootstrap-admin-key")), StandardCharsets.UTF_8);
        assertThat(BootstrapKeySettings.of(Optional.of(key)).problem()).isNull();
    }

    @Test
    void prodOverlayRunsTheNativeImageWithAutoscalingAndExternalSecrets() {
        Manifests manifests = build("overlays/prod");
        ManifestChecks.checkAll(manifests);
        assertThat(namespaces(manifests)).containsOnly("sluice");
        assertThat(manifests.has(Secret.class))
                .as("production Secrets live outside Git")
                .isFalse();

        Deployment deployment = manifests.one(Deployment.class);
        Container container = ManifestChecks.container(deployment);
        assertThat(container.getImage()).matches("registry\\.example\\.com/platform/sluice@sha256:[0-9a-f]{64}");
        assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("1");
        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .hasSize(2)
                .extracting(TopologySpreadConstraint::getWhenUnsatisfiable)
                .containsOnly("DoNotSchedule");
        assertThat(secretRefs(container))
                .extracting(SecretKeySelector::getName)
                .contains("sluice-db", "sluice-bootstrap");

        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(12);
        assertThat(manifests
                        .one(PodDisruptionBudget.class)
                        .getSpec()
                        .getMaxUnavailable()
                        .getIntVal())
                .isEqualTo(1);
        assertThat(manifests.has(ServiceMonitor.class)).isTrue();
        assertThat(manifests
                        .one(NetworkPolicy.class)
                        .getSpec()
                        .getIngress()
                        .get(1)
                        .getFrom())
                .as("the service-monitor component admits Prometheus's namespace to the management port")
                .extracting(peer -> peer.getNamespaceSelector() == null
                        ? "pods " + peer.getPodSelector().getMatchLabels()
                        : "namespace " + peer.getNamespaceSelector().getMatchLabels())
                .containsExactly("pods {}", "namespace {kubernetes.io/metadata.name=monitoring}");
        assertThat(manifests.one(ConfigMap.class).getData()).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    }

    @Test
    void topicsBuildIntoStrimzisNamespace() {
        Manifests manifests = build("topics");
        List<KafkaTopic> topics = manifests.all(KafkaTopic.class);
        assertThat(topics).hasSize(3);
        for (KafkaTopic topic : topics) {
            assertThat(topic.metadata().getNamespace()).isEqualTo("kafka");
            ManifestChecks.checkTopic(topic);
        }
    }

    private static void checkKustomization(Path file) {
        Kustomization k = StrictYaml.value(StrictYaml.documents(file).get(0), Kustomization.class);
        if ("Component".equals(k.kind())) {
            assertThat(k.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1alpha1");
        } else {
            assertThat(k.kind()).isEqualTo("Kustomization");
            assertThat(k.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        }
        Path dir = file.getParent();
        for (String resource : k.resourcesOrEmpty()) {
            assertThat(dir.resolve(resource))
                    .as("%s: resource %s", file, resource)
                    .exists();
        }
        for (String component : k.componentsOrEmpty()) {
            assertThat(dir.resolve(component).resolve("kustomization.yaml"))
                    .as("%s: component %s", file, component)
                    .exists();
        }
        for (Kustomization.Patch patch : k.patchesOrEmpty()) {
            assertThat(patch.path() == null ^ patch.patch() == null)
                    .as("%s: a patch is a file or inline", file)
                    .isTrue();
            if (patch.path() != null) {
                assertThat(dir.resolve(patch.path())).exists();
            } else {
                assertThat(patch.target())
                        .as("an inline JSON patch names its target")
                        .isNotNull();
                for (JsonNode op : StrictYaml.documents(patch.patch()).get(0)) {
                    var operation = StrictYaml.value(op, Kustomization.JsonPatchOperation.class);
                    assertThat(operation.op()).isIn(PATCH_OPERATIONS);
                    assertThat(operation.path()).startsWith("/");
                }
            }
        }
        Stream.concat(
                        Optional.ofNullable(k.configMapGenerator()).orElse(List.of()).stream(),
                        Optional.ofNullable(k.secretGenerator()).orElse(List.of()).stream())
                .forEach(KustomizeTest::literals);
    }

    private static Map<String, String> literals(Kustomization.Generator generator) {
        Map<String, String> literals = new LinkedHashMap<>();
        for (String literal : generator.literals()) {
            assertThat(literal).as("literal KEY=value").contains("=");
            literals.put(literal.substring(0, literal.indexOf('=')), literal.substring(literal.indexOf('=') + 1));
        }
        return literals;
    }

    private static Kustomization kustomization(Path dir) {
        return StrictYaml.value(
                StrictYaml.documents(dir.resolve("kustomization.yaml")).get(0), Kustomization.class);
    }

    private static List<SecretKeySelector> secretRefs(Container container) {
        return container.getEnv().stream()
                .map(EnvVar::getValueFrom)
                .filter(Objects::nonNull)
                .map(source -> source.getSecretKeyRef())
                .filter(Objects::nonNull)
                .toList();
    }

    private static Set<String> namespaces(Manifests manifests) {
        return manifests.objects().stream()
                .map(o -> o instanceof HasMetadata h
                        ? h.getMetadata().getNamespace()
                        : o instanceof ServiceMonitor m ? m.metadata().getNamespace() : null)
                .map(String::valueOf)
                .collect(Collectors.toSet());
    }

    /** `kubectl kustomize DIR` (or `kustomize build DIR`), parsed strictly. */
    private static Manifests build(String relativeDir) {
        List<String> command = kustomizeCommand();
        assumeTrue(
                !command.isEmpty(),
                "neither kubectl nor kustomize is on the PATH: kustomize output is not rendered here"
                        + " (every file under k8s/ is still parsed strictly)");
        List<String> full = new ArrayList<>(command);
        full.add(AppFacts.K8S.resolve(relativeDir).toString());
        try {
            Process process = new ProcessBuilder(full)
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue())
                    .as("%s: %s", String.join(" ", full), new String(err, StandardCharsets.UTF_8))
                    .isZero();
            return StrictYaml.manifests(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> kustomizeCommand() {
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            return List.of(kubectl.get().toString(), "kustomize");
        }
        return onPath("kustomize").map(k -> List.of(k.toString(), "build")).orElse(List.of());
    }

    private static Optional<Path> onPath(String name) {
        return Arrays.stream(
                        Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
