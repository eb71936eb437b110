package io.sluice.health;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The health contract again, against the packaged application (jar, or native binary with -Dnative). */
@QuarkusIntegrationTest
class HealthIT extends HealthTest {}
