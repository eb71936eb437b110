package io.sluice.security;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.audit.AuditLog;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Verifies, creates and revokes API keys.
 *
 * <p>Each replica verifies from a snapshot of the usable keys, reloaded every
 * {@code sluice.security.key-refresh}: ingest must go on while PostgreSQL is away (Kafka is the
 * buffer), so a known key never needs the database on the request path. A key missing from
 * the snapshot (created moments ago, perhaps on another replica) is looked up directly. A
 * revocation takes effect at once on the replica that made it and within one refresh on the
 * others.
 *
 * <p>Made-up keys must not cost a query each: they would load the pool the sink writes with.
 * An id looked up and not found is refused from memory for {@link #REFUSED_FOR}, and lookups
 * are bounded per second ({@code sluice.security.unknown-key-lookups}); past the bound a key
 * missing from the snapshot is refused until a refresh brings it. Neither delays a real key
 * beyond one refresh: a key in the snapshot never reaches them.
 */
@Singleton
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /**
     * How long an id that was looked up in vain is refused without a query. Ids are 64 random
     * bits, so one that did not exist will not be made; a key made after all (or one whose
     * lookup was refused) is let in by the first refresh that holds it.
     */
    static final Duration REFUSED_FOR = Duration.ofMinutes(1);

    /** At most this many refused ids are remembered; the lookup bound holds beyond it. */
    private static final int MAX_REFUSED = 10_000;

    private final ApiKeyStore store;
    private final Vertx vertx;
    private final Duration refresh;
    private volatile Map<String, ApiKey> usable = Map.of();
    /** Revoked here since a refresh that may have started before: kept out of the next snapshots. */
    private final Map<String, Long> revokedHere = new ConcurrentHashMap<>();

    /** Ids looked up in vain, with when (System.nanoTime()) they may be looked up again. */
    private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();

    private final LookupBudget lookups;
    private final Counter looked;
    private final Counter refusedWithoutLookup;

    private final AtomicBoolean databaseAnswering = new AtomicBoolean(true);
    private long timer = -1;

    ApiKeys(ApiKeyStore store, Vertx vertx, SluiceConfig config, MeterRegistry metrics) {
        this.store = store;
        this.vertx = vertx;
        this.refresh = config.security().keyRefresh();
        this.lookups = new LookupBudget(config.security().unknownKeyLookups());
        this.looked = metrics.counter("sluice.security.key.lookups", "outcome", "queried");
        this.refusedWithoutLookup = metrics.counter("sluice.security.key.lookups", "outcome", "refused-without-query");
    }

    void start(@Observes StartupEvent started) {
        reload();
        timer = vertx.setPeriodic(refresh.toMillis(), id -> reload());
    }

    void stop(@Observes ShutdownEvent stopping) {
        vertx.cancelTimer(timer);
    }

    /**
     * The key {@code presented} (whose SHA-256 is {@code presentedHash}) is, if it may be used
     * now; null if it is unknown, revoked, expired or does not match. Fails only when the
     * database is needed and does not answer.
     */
    Uni<ApiKey> verify(String presented, byte[] presentedHash) {
        String id = ApiKeyFormat.idOf(presented);
        if (id == null) {
            return Uni.createFrom().nullItem();
        }
        Instant now = Instant.now();
        ApiKey known = usable.get(id);
        if (known != null) {
            return Uni.createFrom().item(known.admits(presentedHash, now) ? known : null);
        }
        long nanos = System.nanoTime();
        Long until = refusedUntil.get(id);
        if ((until != null && nanos - until < 0) || !lookups.take(nanos)) {
            refusedWithoutLookup.increment();
            return Uni.createFrom().nullItem();
        }
        looked.increment();
        return store.find(id).map(found -> {
            if (found == null || !found.admits(now)) {
                refuse(id, nanos);
                return null;
            }
            // Usable: kept even when this caller's secret was wrong, so the right one gets in.
            remember(found);
            return found.admits(presentedHash, now) ? found : null;
        });
    }

    /**
     * Whether the credential that opened a stream may still use it: not once its key is revoked
     * or expired (on the replica that revoked it at once, on the others within a refresh). Other
     * credentials answer true: a JWT's expiry is checked when it is presented, and the
     * bootstrap key is revoked by a restart.
     */
    public boolean stillUsable(String credential, Instant now) {
        if (!credential.startsWith(Identities.KEY_PREFIX)) {
            return true;
        }
        ApiKey key = usable.get(credential.substring(Identities.KEY_PREFIX.length()));
        return key != null && key.admits(now);
    }

    private void refuse(String id, long nanos) {
        if (refusedUntil.size() >= MAX_REFUSED) {
            refusedUntil.values().removeIf(until -> nanos - until >= 0);
        }
        if (refusedUntil.size() < MAX_REFUSED) {
            refusedUntil.put(id, nanos + REFUSED_FOR.toNanos());
        }
    }

    /** Lookups allowed per second, and as many at once: a bucket refilled at that rate. */
    private static final class LookupBudget {
        private final int perSecond;
        private double tokens;
        private long refilledAt = System.nanoTime();

        LookupBudget(int perSecond) {
            this.perSecond = perSecond;
            this.tokens = perSecond;
        }

        synchronized boolean take(long nanos) {
            tokens = Math.min(perSecond, tokens + (nanos - refilledAt) * perSecond / 1e9);
            refilledAt = nanos;
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }
    }

    /**
     * Adds a key verified or created here to the snapshot before the next reload would: it
     * keeps working from memory should PostgreSQL go away in between.
     */
    private synchronized void remember(ApiKey key) {
        if (!revokedHere.containsKey(key.id())) {
            Map<String, ApiKey> with = new HashMap<>(usable);
            with.put(key.id(), key);
            usable = Map.copyOf(with);
        }
    }

    /** A key created for {@code grant}: the key itself is in the answer and nowhere else, ever. */
    public record Created(String key, ApiKeyStore.Listed stored) {}

    Uni<Created> create(ApiKeyStore.Grant grant, String actor) {
        ApiKeyFormat.NewKey key = ApiKeyFormat.generate();
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        grant.scopes().forEach(detail.putArray("scopes")::add);
        if (grant.expiresAt() != null) {
            detail.put("expiresAt", grant.expiresAt().toString());
        }
        AuditLog.Entry entry = new AuditLog.Entry(grant.tenant(), actor, "key.created", "key:" + key.id(), detail);
        byte[] hash = ApiKeyFormat.hash(key.key());
        return store.insert(key.id(), hash, grant, actor, entry).map(stored -> {
            remember(new ApiKey(stored.id(), stored.tenant(), grant.scopes(), hash, stored.expiresAt(), null));
            return new Created(key.key(), stored);
        });
    }

    /** Revokes key {@code id} of {@code tenant} (null: of any tenant); false if there is no such usable key. */
    Uni<Boolean> revoke(String id, String tenant, String actor) {
        AuditLog.Entry entry =
                new AuditLog.Entry(tenant, actor, "key.revoked", "key:" + id, JsonNodeFactory.instance.objectNode());
        return store.revoke(id, tenant, entry).invoke(revoked -> {
            if (revoked) {
                forget(id);
            }
        });
    }

    private synchronized void forget(String id) {
        revokedHere.put(id, System.nanoTime());
        Map<String, ApiKey> without = new HashMap<>(usable);
        without.remove(id);
        usable = Map.copyOf(without);
    }

    Uni<List<ApiKeyStore.Listed>> list(String tenant) {
        return store.list(tenant);
    }

    /** The snapshot becomes {@code keys}, less those revoked here since before the reload began; its size. */
    private synchronized int replaceSnapshot(List<ApiKey> keys, long reloadStartedAt) {
        revokedHere.values().removeIf(at -> at < reloadStartedAt - 2 * refresh.toNanos());
        Map<String, ApiKey> snapshot = new HashMap<>();
        keys.stream().filter(key -> !revokedHere.containsKey(key.id())).forEach(key -> snapshot.put(key.id(), key));
        usable = Map.copyOf(snapshot);
        return snapshot.size();
    }

    private void reload() {
        long startedAt = System.nanoTime();
        store.usable()
                .subscribe()
                .with(
                        keys -> {
                            int size = replaceSnapshot(keys, startedAt);
                            if (databaseAnswering.compareAndSet(false, true)) {
                                LOG.infof("API keys reloaded again: %d usable", size);
                            }
                        },
                        failure -> {
                            if (databaseAnswering.compareAndSet(true, false)) {
                                LOG.warnf(
                                        "could not reload the API keys (%s): verifying from the last snapshot"
                                                + " (%d keys) until PostgreSQL answers",
                                        failure.getMessage(), usable.size());
                            }
                        });
    }
}
