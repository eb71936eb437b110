package io.sluice.health;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.sluice.testing.ManagementPortResource;

/**
 * The health contract again, against the packaged application (jar, or native binary with
 * -Dnative), on the management port the test chose for it.
 */
@QuarkusIntegrationTest
@WithTestResource(ManagementPortResource.class)
class HealthIT extends HealthTest {}
