package io.sluice.deploy;

import java.util.List;
import java.util.Map;

/**
 * The kustomization.yaml fields k8s/ uses (kustomize.config.k8s.io Kustomization and
 * Component), as a strict record: a misspelt field, which kustomize itself would reject, fails
 * the parse here too, also where no kustomize binary is available.
 */
record Kustomization(
        String apiVersion,
        String kind,
        String namespace,
        List<Label> labels,
        List<String> resources,
        List<String> components,
        List<Patch> patches,
        List<Generator> configMapGenerator,
        List<Generator> secretGenerator,
        GeneratorOptions generatorOptions,
        List<Image> images) {

    record Label(Map<String, String> pairs, Boolean includeSelectors, Boolean includeTemplates) {}

    record Patch(String path, String patch, Target target) {}

    record Target(String group, String version, String kind, String name, String namespace) {}

    record Generator(String name, String behavior, List<String> literals, List<String> files, List<String> envs) {}

    record GeneratorOptions(
            Map<String, String> labels, Map<String, String> annotations, Boolean disableNameSuffixHash) {}

    record Image(String name, String newName, String newTag, String digest) {}

    /** One operation of an inline JSON 6902 patch. */
    record JsonPatchOperation(String op, String path, Object value, String from) {}

    List<String> resourcesOrEmpty() {
        return resources == null ? List.of() : resources;
    }

    List<String> componentsOrEmpty() {
        return components == null ? List.of() : components;
    }

    List<Patch> patchesOrEmpty() {
        return patches == null ? List.of() : patches;
    }
}
