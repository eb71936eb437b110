package io.sluice.health;

/** Names under which Quarkus reports its built-in readiness checks. */
final class HealthChecks {
    static final String KAFKA = "Kafka connection health check";
    static final String POSTGRES = "Reactive PostgreSQL connections health check";
    static final String REDIS = "Redis connection health check";

    private HealthChecks() {}
}
