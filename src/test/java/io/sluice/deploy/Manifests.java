package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** The strictly parsed objects of one rendering (a Helm release or a kustomize build). */
record Manifests(List<Object> objects) {

    <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> T one(Class<T> type) {
        List<T> found = all(type);
        assertThat(found).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    boolean has(Class<?> type) {
        return !all(type).isEmpty();
    }

    /** "Kind" of every object, for messages and for asserting what a rendering contains. */
    List<String> kinds() {
        return objects.stream().map(o -> o.getClass().getSimpleName()).toList();
    }
}
