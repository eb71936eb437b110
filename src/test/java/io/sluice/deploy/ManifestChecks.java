package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.sluice.deploy.CustomResources.KafkaTopic;
import io.sluice.deploy.CustomResources.ServiceMonitor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The properties that matter in any rendering of Sluice (Helm or kustomize): they are the
 * difference between a deployment that keeps its promises and one that only starts. Among them:
 * the management port (health, and metrics that name every tenant) stays inside the cluster, on
 * a ClusterIP Service of its own that no Ingress names, admitted by the NetworkPolicy from named
 * peers only; the probes and the ServiceMonitor use it.
 */
final class ManifestChecks {

    /** Variables that carry credentials: they may only come from a Secret. */
    private static final Pattern SECRET_ENV = Pattern.compile(".*(PASSWORD|JAAS|ADMIN_KEY|SECRET|TOKEN).*");

    private ManifestChecks() {}

    /** Everything a rendering must satisfy, whatever its values. */
    static void checkAll(Manifests manifests) {
        Deployment deployment = manifests.one(Deployment.class);
        Map<String, String> podLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(selects(deployment.getSpec().getSelector(), podLabels))
                .as("the Deployment's selector matches its own pods")
                .isTrue();

        checkPod(deployment.getSpec().getTemplate().getSpec());
        checkConfiguration(manifests, container(deployment));
        Service api = apiService(manifests);
        checkService(api, podLabels);
        checkManagementService(managementService(manifests), podLabels);
        for (Ingress ingress : manifests.all(Ingress.class)) {
            checkIngress(ingress, api);
        }

        for (HorizontalPodAutoscaler hpa : manifests.all(HorizontalPodAutoscaler.class)) {
            checkAutoscaler(hpa, deployment);
        }
        for (PodDisruptionBudget pdb : manifests.all(PodDisruptionBudget.class)) {
            checkDisruptionBudget(pdb, deployment, manifests.all(HorizontalPodAutoscaler.class));
        }
        for (NetworkPolicy policy : manifests.all(NetworkPolicy.class)) {
            checkNetworkPolicy(policy, podLabels);
        }
        for (ServiceMonitor monitor : manifests.all(ServiceMonitor.class)) {
            checkServiceMonitor(monitor, managementService(manifests), api);
        }
        for (KafkaTopic topic : manifests.all(KafkaTopic.class)) {
            checkTopic(topic);
        }
    }

    static Container container(Deployment deployment) {
        List<Container> containers =
                deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    static void checkPod(PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot())
                .as("runAsNonRoot")
                .isTrue();
        if (pod.getSecurityContext().getRunAsUser() != null) {
            assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        }
        assertThat(pod.getAutomountServiceAccountToken())
                .as("no API token in a pod that never calls the API")
                .isFalse();
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);

        Container container = pod.getContainers().get(0);
        var security = container.getSecurityContext();
        assertThat(security.getReadOnlyRootFilesystem())
                .as("readOnlyRootFilesystem")
                .isTrue();
        assertThat(security.getAllowPrivilegeEscalation())
                .as("allowPrivilegeEscalation")
                .isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        if (security.getRunAsUser() != null) {
            assertThat(security.getRunAsUser()).isPositive();
        }

        // A read-only root needs a writable /tmp (Vert.x cache, JVM, compression codecs).
        assertThat(container.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        String tmpVolume = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/tmp"))
                .findFirst()
                .orElseThrow()
                .getName();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(tmpVolume);
            assertThat(v.getEmptyDir()).isNotNull();
        });

        ContainerPort http = container.getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named http"));
        assertThat(http.getContainerPort()).isEqualTo(AppFacts.HTTP_PORT);
        ContainerPort management = container.getPorts().stream()
                .filter(p -> "management".equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named management"));
        assertThat(management.getContainerPort()).isEqualTo(AppFacts.MANAGEMENT_PORT);

        checkProbe(container.getStartupProbe(), "/q/health/started");
        checkProbe(container.getLivenessProbe(), "/q/health/live");
        checkProbe(container.getReadinessProbe(), "/q/health/ready");

        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(requests).as("resource requests").containsKeys("cpu", "memory");
        assertThat(limits).as("resource limits").containsKey("memory");
        assertThat(limits.get("memory").getNumericalAmount())
                .as("memory limit >= request")
                .isGreaterThanOrEqualTo(requests.get("memory").getNumericalAmount());

        List<TopologySpreadConstraint> spread = pod.getTopologySpreadConstraints();
        if (spread != null) {
            assertThat(spread.stream().map(TopologySpreadConstraint::getTopologyKey))
                    .as("one spread constraint per topology key")
                    .doesNotHaveDuplicates();
        }
    }

    private static void checkProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(isManagementPort(probe.getHttpGet().getPort()))
                .as("probe %s on the management port, where health is served", path)
                .isTrue();
        assertThat(probe.getTimeoutSeconds()).isPositive();
    }

    private static boolean isHttpPort(IntOrString port) {
        return "http".equals(port.getStrVal()) || Objects.equals(port.getIntVal(), AppFacts.HTTP_PORT);
    }

    private static boolean isManagementPort(IntOrString port) {
        return "management".equals(port.getStrVal()) || Objects.equals(port.getIntVal(), AppFacts.MANAGEMENT_PORT);
    }

    /** Credentials only from Secrets; non-secret settings from a ConfigMap that exists. */
    static void checkConfiguration(Manifests manifests, Container container) {
        for (EnvVar env : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            if (SECRET_ENV.matcher(env.getName()).matches()) {
                assertThat(env.getValue())
                        .as("%s must not be a literal", env.getName())
                        .isNull();
                assertThat(env.getValueFrom().getSecretKeyRef())
                        .as("%s comes from a Secret", env.getName())
                        .isNotNull();
            }
        }
        List<String> configMaps = container.getEnvFrom().stream()
                .map(EnvFromSource::getConfigMapRef)
                .filter(Objects::nonNull)
                .map(ref -> ref.getName())
                .toList();
        assertThat(configMaps).isNotEmpty();
        for (String name : configMaps) {
            ConfigMap configMap = manifests.all(ConfigMap.class).stream()
                    .filter(c -> c.getMetadata().getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("envFrom refers to a missing ConfigMap " + name));
            assertThat(configMap.getData().keySet())
                    .as("no credential in a ConfigMap")
                    .noneMatch(key -> SECRET_ENV.matcher(key).matches());
            assertThat(configMap.getData())
                    .containsKeys(
                            "KAFKA_BOOTSTRAP_SERVERS",
                            "QUARKUS_DATASOURCE_REACTIVE_URL",
                            "QUARKUS_REDIS_HOSTS",
                            "SLUICE_TOPICS_EVENTS",
                            "SLUICE_TOPICS_DEAD_LETTER",
                            "SLUICE_TOPICS_ALERTS");
            assertThat(configMap.getData().get("QUARKUS_DATASOURCE_REACTIVE_URL"))
                    .as("the reactive URL, not a JDBC one")
                    .matches("postgres(ql)?://.+");
        }
    }

    static void checkService(Service service, Map<String, String> podLabels) {
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        ServicePort port = service.getSpec().getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(isHttpPort(port.getTargetPort())).isTrue();
        assertThat(service.getSpec().getPorts())
                .as("the API's Service (the one an Ingress names) routes nothing to the management port")
                .noneSatisfy(
                        p -> assertThat(isManagementPort(p.getTargetPort())).isTrue());
    }

    /** The Service that routes to the API's port. */
    static Service apiService(Manifests manifests) {
        return serviceTargeting(manifests, ManifestChecks::isHttpPort, "the API's port");
    }

    /** The Service that routes to the management port (health and metrics). */
    static Service managementService(Manifests manifests) {
        return serviceTargeting(manifests, ManifestChecks::isManagementPort, "the management port");
    }

    private static Service serviceTargeting(Manifests manifests, Predicate<IntOrString> port, String what) {
        List<Service> services = manifests.all(Service.class).stream()
                .filter(service -> service.getSpec().getPorts().stream().anyMatch(p -> port.test(p.getTargetPort())))
                .toList();
        assertThat(services).as("exactly one Service routes to %s", what).hasSize(1);
        return services.get(0);
    }

    /** Health and metrics: a ClusterIP Service of their own, routing to nothing else. */
    static void checkManagementService(Service service, Map<String, String> podLabels) {
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getType())
                .as("the management Service is reachable inside the cluster only")
                .isIn(null, "ClusterIP");
        assertThat(service.getSpec().getExternalIPs()).as("no external IP").isNullOrEmpty();
        assertThat(service.getSpec().getPorts())
                .as("the management Service routes to the management port alone")
                .allSatisfy(p -> assertThat(isManagementPort(p.getTargetPort())).isTrue());
    }

    /** Every backend of the Ingress is the API's Service on its http port: never the management one. */
    static void checkIngress(Ingress ingress, Service api) {
        List<IngressBackend> backends = Stream.concat(
                        Stream.ofNullable(ingress.getSpec().getDefaultBackend()),
                        ingress.getSpec().getRules().stream()
                                .map(IngressRule::getHttp)
                                .filter(Objects::nonNull)
                                .flatMap(http -> http.getPaths().stream())
                                .map(path -> path.getBackend()))
                .toList();
        assertThat(backends).as("the Ingress routes somewhere").isNotEmpty();
        ServicePort http = api.getSpec().getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .findFirst()
                .orElseThrow();
        for (IngressBackend backend : backends) {
            assertThat(backend.getService().getName())
                    .as("an Ingress backend is the API's Service")
                    .isEqualTo(api.getMetadata().getName());
            var port = backend.getService().getPort();
            assertThat("http".equals(port.getName()) || Objects.equals(port.getNumber(), http.getPort()))
                    .as("an Ingress backend names the API's port, never the management one")
                    .isTrue();
        }
    }

    static void checkAutoscaler(HorizontalPodAutoscaler hpa, Deployment deployment) {
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName())
                .isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isPositive();
        assertThat(hpa.getSpec().getMaxReplicas())
                .isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
        assertThat(hpa.getSpec().getMetrics())
                .anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        assertThat(deployment.getSpec().getReplicas())
                .as("with an HPA the Deployment leaves the replica count alone")
                .isNull();
    }

    static void checkDisruptionBudget(
            PodDisruptionBudget pdb, Deployment deployment, List<HorizontalPodAutoscaler> autoscalers) {
        assertThat(selects(
                        pdb.getSpec().getSelector(),
                        deployment.getSpec().getTemplate().getMetadata().getLabels()))
                .as("the PodDisruptionBudget selects Sluice's pods")
                .isTrue();
        IntOrString min = pdb.getSpec().getMinAvailable();
        IntOrString max = pdb.getSpec().getMaxUnavailable();
        assertThat(min == null ^ max == null)
                .as("exactly one of minAvailable / maxUnavailable")
                .isTrue();
        int floor = autoscalers.isEmpty()
                ? Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1)
                : autoscalers.get(0).getSpec().getMinReplicas();
        if (min != null && min.getIntVal() != null) {
            assertThat(min.getIntVal())
                    .as("minAvailable below the replica floor, or nodes can never be drained")
                    .isLessThan(floor);
        }
        if (max != null && max.getIntVal() != null) {
            assertThat(max.getIntVal()).isPositive();
        }
    }

    static void checkNetworkPolicy(NetworkPolicy policy, Map<String, String> podLabels) {
        assertThat(selects(policy.getSpec().getPodSelector(), podLabels))
                .as("the NetworkPolicy applies to Sluice's pods")
                .isTrue();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress())
                .as("the API port is reachable")
                .anySatisfy(rule -> assertThat(rule.getPorts())
                        .anySatisfy(p -> assertThat(isHttpPort(p.getPort())).isTrue()));
        checkManagementAdmission(policy.getSpec().getIngress());
        List<NetworkPolicyPort> egressPorts = policy.getSpec().getEgress().stream()
                .flatMap(rule -> rule.getPorts().stream())
                .toList();
        assertThat(egressPorts).as("DNS").anySatisfy(p -> {
            assertThat(p.getPort().getIntVal()).isEqualTo(53);
            assertThat(p.getProtocol()).isEqualTo("UDP");
        });
        assertThat(egressPorts.size()).as("Kafka, PostgreSQL and Redis").isGreaterThanOrEqualTo(5);
    }

    /**
     * The management port is admitted by rules of its own, each from named peers (pods and
     * namespaces of the cluster, never an address block), and no rule admits every port: a rule
     * without ports or without peers would open it to anyone the API is open to.
     */
    static void checkManagementAdmission(List<NetworkPolicyIngressRule> rules) {
        assertThat(rules)
                .as("every ingress rule names its ports")
                .allSatisfy(rule -> assertThat(rule.getPorts()).isNotEmpty());
        List<NetworkPolicyIngressRule> management = rules.stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(p -> isManagementPort(p.getPort())))
                .toList();
        assertThat(management).as("a rule admits the management port").isNotEmpty();
        for (NetworkPolicyIngressRule rule : management) {
            assertThat(rule.getPorts())
                    .as("the management port's rule admits it alone")
                    .allSatisfy(p -> assertThat(isManagementPort(p.getPort())).isTrue());
            assertThat(rule.getFrom())
                    .as("the management port only from named peers")
                    .isNotEmpty();
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock())
                        .as("no address block on the management port")
                        .isNull();
                assertThat(peer.getPodSelector() != null || peer.getNamespaceSelector() != null)
                        .isTrue();
            }
        }
    }

    /** Prometheus scrapes the management Service, the only Service it selects, at /q/metrics. */
    static void checkServiceMonitor(ServiceMonitor monitor, Service management, Service api) {
        Map<String, String> selector = monitor.spec().selector().getMatchLabels();
        assertThat(management.getMetadata().getLabels())
                .as("the ServiceMonitor selects the management Service")
                .containsAllEntriesOf(selector);
        assertThat(api.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .as("the ServiceMonitor does not select the API's Service")
                .isFalse();
        assertThat(monitor.spec().endpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.port()).isEqualTo("management");
            assertThat(endpoint.path()).isEqualTo("/q/metrics");
        });
    }

    /** Replication 3, min ISR 2 (and below replicas), no unclean election, sizes in the chain. */
    static void checkTopic(KafkaTopic topic) {
        assertThat(topic.metadata().getLabels()).containsKey("strimzi.io/cluster");
        var spec = topic.spec();
        assertThat(spec.topicName()).isIn(Set.of("sluice.events", "sluice.events.dlq", "sluice.alerts"));
        assertThat(spec.partitions()).isPositive();
        assertThat(spec.replicas())
                .as("replication factor of %s", spec.topicName())
                .isGreaterThanOrEqualTo(3);
        Map<String, Object> config = spec.config();
        assertThat(config.get("min.insync.replicas"))
                .as("min.insync.replicas of %s", spec.topicName())
                .isInstanceOf(Integer.class);
        int minIsr = (Integer) config.get("min.insync.replicas");
        assertThat(minIsr).isGreaterThanOrEqualTo(2).isLessThan(spec.replicas());
        assertThat(config.get("unclean.leader.election.enable")).isEqualTo(false);
        assertThat(config.get("max.message.bytes"))
                .as("max.message.bytes as an integer")
                .isInstanceOf(Integer.class);
        long maxMessageBytes = ((Integer) config.get("max.message.bytes")).longValue();
        assertThat(maxMessageBytes)
                .as("topic max.message.bytes >= the HTTP body limit")
                .isGreaterThanOrEqualTo(AppFacts.httpBodyLimitBytes());
        for (long maxRequest : AppFacts.sizes("(mp\\.messaging\\.outgoing\\.[^.]+\\.|kafka\\.)max\\.request\\.size")) {
            assertThat(maxMessageBytes)
                    .as("topic max.message.bytes >= producer max.request.size")
                    .isGreaterThanOrEqualTo(maxRequest);
        }
        for (long fetch : AppFacts.sizes(
                "(mp\\.messaging\\.incoming\\.[^.]+\\.|kafka\\.)(max\\.partition\\.fetch\\.bytes|fetch\\.max\\.bytes)")) {
            assertThat(fetch)
                    .as("consumer fetch limits >= topic max.message.bytes")
                    .isGreaterThanOrEqualTo(maxMessageBytes);
        }
        // Helm prints a float64 604800000 as 6.048e+08, which Kafka refuses: numbers stay integers.
        config.forEach((key, value) -> assertThat(value)
                .as("topic config %s", key)
                .isInstanceOfAny(Integer.class, Long.class, Boolean.class, String.class));
        config.forEach((key, value) -> {
            if (value instanceof String s) {
                assertThat(s).as("topic config %s", key).doesNotMatch("[0-9.]+e[+-]?[0-9]+");
            }
        });
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).isNullOrEmpty();
        return !selector.getMatchLabels().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }
}
