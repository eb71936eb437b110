package io.sluice.quota;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.audit.AuditLog;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The quotas in effect for each tenant. What is checked per request (request rate, streams,
 * replays) is answered from memory: each replica reloads the overrides every
 * {@code sluice.quotas.refresh}, so a PostgreSQL outage leaves the last known quotas in force
 * rather than stopping ingest. What a tenant holds (rules, keys) is counted against its limit in
 * the transaction that adds to it ({@link #reserve}), so concurrent requests on any replicas
 * cannot pass the limit together.
 */
@ApplicationScoped
public class Quotas {

    private static final Logger LOG = Logger.getLogger(Quotas.class);

    private final QuotaStore store;
    private final Vertx vertx;
    private final Duration refresh;
    private final TenantQuotas defaults;
    /** The tenants that have overrides, with the quotas in effect for them; the rest have the defaults. */
    private volatile Map<String, TenantQuotas> overridden = Map.of();
    /**
     * Changes this replica made: a reload that began before one may have read the table without
     * it, and is dropped rather than undo it (the next reload brings everything).
     */
    private long changes;

    private long timer = -1;

    Quotas(QuotaStore store, Vertx vertx, SluiceConfig config) {
        this.store = store;
        this.vertx = vertx;
        SluiceConfig.Quotas quotas = config.quotas();
        this.refresh = quotas.refresh();
        this.defaults = new TenantQuotas(
                quotas.rules(),
                quotas.keys(),
                quotas.streams(),
                quotas.replays(),
                quotas.replayRange(),
                quotas.requests(),
                Set.of());
    }

    void start(@Observes StartupEvent started) {
        reload();
        timer = vertx.setPeriodic(refresh.toMillis(), id -> reload());
    }

    void stop(@Observes ShutdownEvent stopping) {
        vertx.cancelTimer(timer);
    }

    /** {@code tenant}'s quotas, as this replica last read them: a map lookup, cheap enough for every request. */
    public TenantQuotas of(String tenant) {
        return overridden.getOrDefault(tenant, defaults);
    }

    /**
     * Within {@code transaction}, which is about to add one of {@code quota} (rules or keys) to
     * {@code tenant}: fails with the quota's problem if the tenant already holds its limit, as
     * counted by {@code usedSql} (the tenant is $1). Other transactions adding to the same quota
     * of the same tenant wait for this one to end.
     */
    public Uni<Void> reserve(SqlClient transaction, Quota quota, String tenant, String usedSql) {
        return QuotaStore.usedAndLimit(transaction, quota, tenant, usedSql, defaults.count(quota))
                .invoke(usedAndLimit -> {
                    if (usedAndLimit[0] >= usedAndLimit[1]) {
                        throw quota.exceeded(
                                usedAndLimit[1],
                                "The tenant holds " + usedAndLimit[0] + " " + quota.wireName() + ", its quota is "
                                        + usedAndLimit[1] + ".",
                                null);
                    }
                })
                .replaceWithVoid();
    }

    /** Replaces {@code tenant}'s overrides; this replica applies them at once, the others within a refresh. */
    Uni<TenantQuotas> replace(String tenant, Overrides own, String actor, AuditLog.Entry entry) {
        return store.replace(tenant, own, actor, entry).map(done -> {
            synchronized (this) {
                Map<String, TenantQuotas> next = new HashMap<>(overridden);
                next.put(tenant, own.over(defaults));
                overridden = Map.copyOf(next);
                changes++;
            }
            return of(tenant);
        });
    }

    private void reload() {
        long changesBefore;
        synchronized (this) {
            changesBefore = changes;
        }
        store.all()
                .subscribe()
                .with(
                        loaded -> {
                            Map<String, TenantQuotas> next = new HashMap<>();
                            loaded.forEach((tenant, own) -> next.put(tenant, own.over(defaults)));
                            synchronized (this) {
                                if (changes == changesBefore) {
                                    overridden = Map.copyOf(next);
                                }
                            }
                        },
                        failure -> LOG.warnf(
                                "Could not reload the tenant quotas (the last ones read stay in force): %s",
                                failure.toString()));
    }
}
