package io.sluice.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Requests per credential per fixed window, counted in Redis so every replica counts the same
 * requests: {@code INCR} and {@code PEXPIRE} of {@code rate:<credential>:<window>}, pipelined,
 * one round trip per request.
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

    private final Redis redis;
    private final int limit;
    private final long windowMillis;
    private final Counter refused;
    private final Counter unchecked;
    private final AtomicBoolean redisAnswering = new AtomicBoolean(true);

    RateLimiter(Redis redis, SluiceConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.limit = config.security().rateLimit().requests();
        this.windowMillis = config.security().rateLimit().window().toMillis();
        this.refused = metrics.counter("sluice.security.rate.limited");
        this.unchecked = metrics.counter("sluice.security.rate.limit.unchecked");
    }

    /** Counts one request of {@code credential}: null if it may go on, else how long until the window ends. */
    Uni<Duration> admit(String credential) {
        if (limit <= 0) {
            return Uni.createFrom().nullItem();
        }
        long now = System.currentTimeMillis();
        long window = now / windowMillis;
        String key = "rate:" + credential + ":" + window;
        return redis.batch(List.of(
                        Request.cmd(Command.INCR).arg(key),
                        Request.cmd(Command.PEXPIRE).arg(key).arg(2 * windowMillis)))
                .map(answers -> {
                    if (redisAnswering.compareAndSet(false, true)) {
                        LOG.info("Redis answers rate-limit counts again");
                    }
                    if (answers.get(0).toLong() <= limit) {
                        return (Duration) null;
                    }
                    refused.increment();
                    return Duration.ofMillis((window + 1) * windowMillis - now);
                })
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
}
