package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * A test profile whose backends come from one test resource of its own instead of the shared
 * stack, for tests that break them (kill a broker, cut a proxy), with settings of its own.
 */
public abstract class OwnBackendsProfile implements QuarkusTestProfile {

    private final Class<? extends QuarkusTestResourceLifecycleManager> backends;
    private final Map<String, String> settings;

    protected OwnBackendsProfile(
            Class<? extends QuarkusTestResourceLifecycleManager> backends, Map<String, String> settings) {
        this.backends = backends;
        this.settings = settings;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(backends));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return settings;
    }
}
