package io.sluice.dedup;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Singleton;

/**
 * Remembers the options Quarkus built for the default Redis client (hosts, password, TLS, pool,
 * timeouts: everything {@code quarkus.redis.*} says, and what other customizers add), so
 * {@link SinkRedisClient} connects exactly as the application's client does. Changes nothing.
 */
@Singleton
class RedisClientOptions implements RedisOptionsCustomizer {

    private volatile RedisOptions defaultClient;

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (RedisConfig.isDefaultClient(clientName)) {
            defaultClient = options; // copied when used: customizers after this one may still change it
        }
    }

    /** The default client's options, or null while Quarkus has not built that client. */
    RedisOptions defaultClient() {
        return defaultClient;
    }
}
