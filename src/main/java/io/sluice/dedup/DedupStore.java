package io.sluice.dedup;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The Redis fast path of the dedup protocol. Every call is one pipelined batch, so a batch of
 * N events costs one round trip, not N. Redis is only the fast path: when it is down or has
 * forgotten, callers fall back on the database's unique constraint, never on a guess.
 */
@ApplicationScoped
public class DedupStore {

    static final String DONE = "done";
    private static final Logger LOG = Logger.getLogger(DedupStore.class);

    /** Deletes a claim only if the caller still owns it: a stale owner must not free another's claim. */
    private static final String RELEASE_IF_OWNER =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /**
     * Commands per pipeline. The Vert.x client refuses a pipeline longer than its waiting-handler
     * limit ({@code quarkus.redis.max-waiting-handlers}, 2048 by default) with an error, so a large
     * batch is sent as several pipelines, one after the other.
     */
    static final int MAX_PIPELINE = 1000;

    private final Supplier<Redis> redis;
    /**
     * Whether the server takes {@code SET ... NX GET} (Redis 7.0 and later): one command per
     * claim instead of two. Found out on the first claim an older server refuses.
     */
    private volatile boolean setNxGet = true;

    @Inject
    DedupStore(SinkRedisClient redis) {
        this.redis = redis::get;
    }

    /** A store on {@code redis}, for tests. */
    DedupStore(Redis redis) {
        this.redis = () -> redis;
    }

    /**
     * Claims every key for {@code owner} for {@code lease}, and tells who holds each key it did
     * not get: {@code done} (stored already), or someone else (in flight elsewhere).
     */
    public Uni<Map<DedupKey, ClaimState>> claim(List<DedupKey> keys, String owner, Duration lease) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        if (!setNxGet) {
            return claimWithSetThenGet(keys, owner, lease);
        }
        return claimWithSetNxGet(keys, owner, lease)
                .onFailure(DedupStore::refusedAsSyntax)
                .recoverWithUni(refused -> {
                    setNxGet = false;
                    LOG.warnf(
                            "Redis refuses SET ... NX GET (%s): it needs Redis 7.0; claims take two commands from now on",
                            refused.getMessage());
                    return claimWithSetThenGet(keys, owner, lease);
                });
    }

    /** Claims the old way, whatever the server: for tests of a server older than 7.0. */
    void useTwoCommandClaims() {
        setNxGet = false;
    }

    /** {@code SET key owner NX PX lease GET}: the answer is the holder before, nil if there was none. */
    private Uni<Map<DedupKey, ClaimState>> claimWithSetNxGet(List<DedupKey> keys, String owner, Duration lease) {
        List<Request> commands = new ArrayList<>(keys.size());
        for (DedupKey key : keys) {
            commands.add(claimCommand(key, owner, lease).arg("GET"));
        }
        return pipeline(commands).map(responses -> states(keys, owner, responses, 1, 0));
    }

    /** {@code SET key owner NX PX lease}, each followed by a {@code GET} of the holder now. */
    private Uni<Map<DedupKey, ClaimState>> claimWithSetThenGet(List<DedupKey> keys, String owner, Duration lease) {
        List<Request> commands = new ArrayList<>(keys.size() * 2);
        for (DedupKey key : keys) {
            commands.add(claimCommand(key, owner, lease));
            commands.add(Request.cmd(Command.GET).arg(key.redisKey()));
        }
        return pipeline(commands).map(responses -> states(keys, owner, responses, 2, 1));
    }

    private static Request claimCommand(DedupKey key, String owner, Duration lease) {
        return Request.cmd(Command.SET)
                .arg(key.redisKey())
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(lease.toMillis());
    }

    /** The holder of key i is answer {@code stride * i + offset}. */
    private static Map<DedupKey, ClaimState> states(
            List<DedupKey> keys, String owner, List<Response> responses, int stride, int offset) {
        Map<DedupKey, ClaimState> states = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            Response holder = responses.get(stride * i + offset);
            String value = holder == null ? null : holder.toString();
            states.put(keys.get(i), stateOf(value, owner));
        }
        return states;
    }

    private static boolean refusedAsSyntax(Throwable failure) {
        String message = failure.getMessage();
        return message != null && message.contains("syntax error");
    }

    /** Marks stored events {@code done} for {@code ttl}, replacing whatever claim was there. */
    public Uni<Void> markDone(List<DedupKey> keys, Duration ttl) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Request> commands = new ArrayList<>(keys.size());
        for (DedupKey key : keys) {
            commands.add(Request.cmd(Command.SET)
                    .arg(key.redisKey())
                    .arg(DONE)
                    .arg("PX")
                    .arg(ttl.toMillis()));
        }
        return pipeline(commands).replaceWithVoid();
    }

    /** Gives up this owner's claims after a failed attempt, so a retry or another consumer can go on. */
    public Uni<Void> release(List<DedupKey> keys, String owner) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Request> commands = new ArrayList<>(keys.size());
        for (DedupKey key : keys) {
            commands.add(Request.cmd(Command.EVAL)
                    .arg(RELEASE_IF_OWNER)
                    .arg(1)
                    .arg(key.redisKey())
                    .arg(owner));
        }
        return pipeline(commands).replaceWithVoid();
    }

    /** Sends {@code commands} in pipelines of at most {@link #MAX_PIPELINE}; answers in order. */
    private Uni<List<Response>> pipeline(List<Request> commands) {
        if (commands.size() <= MAX_PIPELINE) {
            return redis.get().batch(commands);
        }
        List<Response> answers = new ArrayList<>(commands.size());
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < commands.size(); from += MAX_PIPELINE) {
            List<Request> chunk = commands.subList(from, Math.min(commands.size(), from + MAX_PIPELINE));
            chain = chain.chain(
                    () -> redis.get().batch(chunk).invoke(answers::addAll).replaceWithVoid());
        }
        return chain.replaceWith(answers);
    }

    private static ClaimState stateOf(String holder, String owner) {
        if (DONE.equals(holder)) {
            return ClaimState.DONE;
        }
        // null: nobody held it, so the claim is ours (SET ... GET), or it expired between SET
        // and GET (two commands); in that rare case the database constraint settles it.
        if (holder == null || holder.equals(owner)) {
            return ClaimState.CLAIMED;
        }
        return ClaimState.HELD_ELSEWHERE;
    }
}
