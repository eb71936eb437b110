package io.sluice.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Requests per credential, and per tenant, per fixed window, counted in Redis so every replica
 * counts the same requests, in {@code rate:<bucket>:<window>}: a bucket is a credential's id or
 * {@code tenant:<name>}, which cannot be confused (credential ids start {@code key:},
 * {@code jwt:} or are {@code bootstrap}).
 *
 * <p>A replica does not ask Redis for every request: it takes requests from Redis in leases
 * ({@code INCRBY} of the lease, {@code PEXPIRE}, pipelined) and admits from its lease in memory
 * until it is used up. A lease is a sixteenth of what the window has left, at least one
 * request: far from the limit one round trip admits hundreds of requests, near it every
 * request is counted in Redis one by one. Leased requests are counted in Redis whether they
 * are used or not, and a request is admitted only from a lease, so all replicas together admit
 * at most the limit per window; what a replica leased and did not use by the window's end only
 * makes the others reach the limit a little earlier.
 *
 * <p>A fixed window lets a client make up to twice the limit across a window boundary; a
 * sliding log would not, at the cost of a sorted set per key and more work per request. The
 * limit protects the gateway, it is not a billing meter, so the cheaper count serves.
 *
 * <p>Redis away: requests pass uncounted (a WARN once, {@code sluice.security.rate.limit.unchecked}
 * counts them). Refusing all traffic because the limiter's store is down would turn a Redis
 * outage into an ingest outage, which Kafka as the buffer exists to prevent.
 */
@Singleton
class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    /** A lease is this fraction of what is left of the window's limit. */
    private static final int LEASE_DIVISOR = 16;
    /** Allowances of buckets not seen in the current window are dropped past this many. */
    private static final int MAX_IDLE_ALLOWANCES = 10_000;

    private final Redis redis;
    private final int limit;
    private final long windowMillis;
    private final Counter refused;
    private final Counter unchecked;
    private final AtomicBoolean redisAnswering = new AtomicBoolean(true);
    /** Per bucket: what this replica leased and has not used yet, in the current window. */
    private final Map<String, Allowance> allowances = new ConcurrentHashMap<>();

    @Inject
    RateLimiter(Redis redis, SluiceConfig config, MeterRegistry metrics) {
        this(
                redis,
                config.security().rateLimit().requests(),
                config.security().rateLimit().window(),
                metrics);
    }

    RateLimiter(Redis redis, int limit, Duration window, MeterRegistry metrics) {
        this.redis = redis;
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.refused = metrics.counter("sluice.security.rate.limited");
        this.unchecked = metrics.counter("sluice.security.rate.limit.unchecked");
    }

    /** Counts one request of {@code credential}: null if it may go on, else how long until the window ends. */
    Uni<Duration> admit(String credential) {
        return admit(credential, limit);
    }

    /**
     * Counts one request against {@code bucket} (a credential's id, or {@code tenant:<name>} for
     * all of a tenant's credentials together), whose limit per window is {@code bucketLimit}
     * (0: none): null if it may go on, else how long until the window ends. A changed limit
     * holds from the next window on.
     */
    Uni<Duration> admit(String bucket, int bucketLimit) {
        if (bucketLimit <= 0) {
            return Uni.createFrom().nullItem();
        }
        if (allowances.size() > MAX_IDLE_ALLOWANCES) {
            long window = System.currentTimeMillis() / windowMillis;
            allowances.values().removeIf(allowance -> allowance.idleSince(window));
        }
        return allowances.computeIfAbsent(bucket, Allowance::new).admit(bucketLimit);
    }

    /**
     * One bucket's requests leased for the current window and not used yet. One lease at
     * a time is asked for: requests that find the allowance used up meanwhile wait for it.
     */
    private final class Allowance {

        private final String bucket;
        private long window = -1;
        /** The bucket's limit in the current window. */
        private long currentLimit;

        private long left;
        /** What Redis had left of the window's limit after the last lease. */
        private long leftInWindow;

        private Uni<Void> leasing;

        Allowance(String bucket) {
            this.bucket = bucket;
        }

        synchronized boolean idleSince(long current) {
            return window < current && leasing == null;
        }

        Uni<Duration> admit(int windowLimit) {
            long now = System.currentTimeMillis();
            long current = now / windowMillis;
            Uni<Void> pending;
            synchronized (this) {
                if (window != current) {
                    window = current;
                    currentLimit = windowLimit;
                    left = 0;
                    leftInWindow = windowLimit;
                    leasing = null;
                }
                if (left > 0) {
                    left--;
                    return Uni.createFrom().nullItem();
                }
                if (leftInWindow <= 0) {
                    return Uni.createFrom().item(refuse(current, now));
                }
                if (leasing == null) {
                    leasing = lease(current, Math.max(1, leftInWindow / LEASE_DIVISOR))
                            .memoize()
                            .indefinitely();
                }
                pending = leasing;
            }
            // Once the lease is in, this request takes from it like any other (or finds it gone).
            return pending.onItem()
                    .transformToUni(leased -> admit(windowLimit))
                    .onFailure()
                    .recoverWithItem(failure -> {
                        unchecked.increment();
                        if (redisAnswering.compareAndSet(true, false)) {
                            LOG.warnf(
                                    "Redis does not answer rate-limit counts (%s): requests pass uncounted",
                                    failure.toString());
                        }
                        return null;
                    });
        }

        private Uni<Void> lease(long leaseWindow, long size) {
            String key = "rate:" + bucket + ":" + leaseWindow;
            return redis.batch(List.of(
                            Request.cmd(Command.INCRBY).arg(key).arg(size),
                            Request.cmd(Command.PEXPIRE).arg(key).arg(2 * windowMillis)))
                    .onItemOrFailure()
                    .transform((answers, failure) -> {
                        synchronized (this) {
                            if (leaseWindow == window) {
                                leasing = null;
                                if (failure == null) {
                                    long counted = answers.get(0).toLong();
                                    // The lease is requests counted - size + 1 .. counted: ours up to the limit.
                                    left += Math.min(size, Math.max(0, currentLimit - (counted - size)));
                                    leftInWindow = currentLimit - counted;
                                }
                            }
                        }
                        if (failure != null) {
                            throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
                        }
                        if (redisAnswering.compareAndSet(false, true)) {
                            LOG.info("Redis answers rate-limit counts again");
                        }
                        return null;
                    });
        }
    }

    private Duration refuse(long window, long now) {
        refused.increment();
        return Duration.ofMillis((window + 1) * windowMillis - now);
    }
}
