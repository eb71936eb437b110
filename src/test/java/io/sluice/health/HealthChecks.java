package io.sluice.health;

/** Names under which readiness checks report: Sluice's own for Kafka, Quarkus' built-in ones for the rest. */
final class HealthChecks {
    static final String KAFKA = KafkaReadinessCheck.NAME;
    static final String POSTGRES = "Reactive PostgreSQL connections health check";
    static final String REDIS = "Redis connection health check";

    private HealthChecks() {}
}
