package io.sluice.deploy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * The custom resources the deployment uses, as strict records: the fields Sluice's manifests
 * may set, taken from the Strimzi (kafka.strimzi.io/v1beta2) and Prometheus Operator
 * (monitoring.coreos.com/v1) CRDs. A field outside them fails the parse, like a field the
 * CRD's schema does not know would fail on the API server.
 */
final class CustomResources {

    private CustomResources() {}

    record KafkaTopic(String apiVersion, String kind, ObjectMeta metadata, KafkaTopicSpec spec) {}

    record KafkaTopicSpec(String topicName, Integer partitions, Integer replicas, Map<String, Object> config) {}

    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {}

    record ServiceMonitorSpec(
            LabelSelector selector,
            NamespaceSelector namespaceSelector,
            List<ServiceMonitorEndpoint> endpoints,
            String jobLabel) {}

    record NamespaceSelector(Boolean any, List<String> matchNames) {}

    record ServiceMonitorEndpoint(
            String port, String path, String scheme, String interval, String scrapeTimeout, Boolean honorLabels) {}
}
