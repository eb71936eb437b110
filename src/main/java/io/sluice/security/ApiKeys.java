package io.sluice.security;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 */
@Singleton
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final ApiKeyStore store;
    private final Vertx vertx;
    private final Duration refresh;
    private volatile Map<String, ApiKey> usable = Map.of();
    /** Revoked here since a refresh that may have started before: kept out of the next snapshots. */
    private final Map<String, Long> revokedHere = new ConcurrentHashMap<>();

    private final AtomicBoolean databaseAnswering = new AtomicBoolean(true);
    private long timer = -1;

    ApiKeys(ApiKeyStore store, Vertx vertx, SluiceConfig config) {
        this.store = store;
        this.vertx = vertx;
        this.refresh = config.security().keyRefresh();
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
        return store.find(id).map(found -> {
            if (found == null || !found.admits(presentedHash, now)) {
                return null;
            }
            remember(found);
            return found;
        });
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
