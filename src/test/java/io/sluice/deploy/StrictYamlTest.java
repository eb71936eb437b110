package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The strict parser rejects what the API server would reject, so "it parsed" means something. */
class StrictYamlTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: sluice
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                    - name: sluice
                      image: sluice/sluice:0.1.0-native
                      %s
            """;

    @Test
    void acceptsAValidObject() {
        Object parsed = StrictYaml.object(StrictYaml.documents(DEPLOYMENT.formatted("imagePullPolicy: IfNotPresent"))
                .get(0));
        assertThat(parsed).isInstanceOf(Deployment.class);
        assertThat(((Deployment) parsed).getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void rejectsAMisspeltField() {
        // fabric8 alone would keep this in additionalProperties and carry on.
        String yaml = DEPLOYMENT.formatted("readinessProbes: {httpGet: {path: /q/health/ready, port: http}}");
        assertThatThrownBy(() -> StrictYaml.object(StrictYaml.documents(yaml).get(0)))
                .hasMessageContaining("readinessProbes");
    }

    @Test
    void rejectsANumberWhereTheApiWantsAString() {
        String yaml = DEPLOYMENT.formatted("env: [{name: JAVA_MAX_RAM_RATIO, value: 75}]");
        assertThatThrownBy(() -> StrictYaml.object(StrictYaml.documents(yaml).get(0)))
                .hasMessageContaining("value");
    }

    @Test
    void rejectsAStringWhereTheApiWantsAnInteger() {
        String yaml = DEPLOYMENT.formatted("").replace("replicas: 2", "replicas: \"2\"");
        assertThatThrownBy(() -> StrictYaml.object(StrictYaml.documents(yaml).get(0)))
                .hasMessageContaining("replicas");
    }

    @Test
    void rejectsADuplicateKey() {
        String yaml = DEPLOYMENT.formatted("image: sluice/sluice:0.1.0-jvm");
        assertThatThrownBy(() -> StrictYaml.documents(yaml)).hasMessageContaining("image");
    }

    @Test
    void rejectsAnUnknownFieldInACustomResource() {
        String yaml = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata:
                  name: sluice-events
                spec:
                  topicName: sluice.events
                  partitions: 12
                  replicationFactor: 3
                """;
        assertThatThrownBy(() -> StrictYaml.object(StrictYaml.documents(yaml).get(0)))
                .hasMessageContaining("replicationFactor");
    }

    @Test
    void rejectsAKindItHasNoModelFor() {
        String yaml = "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: old}\n";
        assertThatThrownBy(() -> StrictYaml.object(StrictYaml.documents(yaml).get(0)))
                .hasMessageContaining("apps/v1beta1");
    }
}
