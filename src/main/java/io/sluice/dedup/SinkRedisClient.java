package io.sluice.dedup;

import io.vertx.core.net.NetClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The sink's own Redis client: the application's options, its own connections, made on the
 * Vert.x context of the sink's first claim, the Kafka consumer's, whose event loop then does the
 * sink's Redis I/O too.
 *
 * <p>Why not the application's client: Vert.x runs a pipeline on its connection's event loop.
 * Sent from another loop, it runs there outside any Vert.x context, and the client then makes a
 * new context for every command it holds (Vert.x keeps no context for an event-loop thread
 * between dispatches): two thousand contexts per thousand-event batch, a tenth of everything the
 * sink allocated (docs/benchmarks-sink.md). The connections of a client made on the consumer's
 * context live on its loop, so the consumer's pipelines run inline, in its own context.
 */
@ApplicationScoped
class SinkRedisClient {

    private final Vertx vertx;
    private final Redis application;
    private final RedisClientOptions options;
    private volatile Redis client;

    SinkRedisClient(Vertx vertx, Redis application, RedisClientOptions options) {
        this.vertx = vertx;
        this.application = application;
        this.options = options;
    }

    /** The client; the first call makes it, on the caller's Vert.x context. */
    Redis get() {
        Redis made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    client = made = Redis.createClient(vertx, sinkOptions());
                }
            }
        }
        return made;
    }

    private RedisOptions sinkOptions() {
        // Quarkus builds its client, and so hands its options to RedisClientOptions, on first use.
        application.getDelegate();
        RedisOptions built = options.defaultClient();
        if (built == null) {
            throw new IllegalStateException("the options of the default Redis client were never seen");
        }
        RedisOptions sink = new RedisOptions(built).setPoolName("sink");
        // The copy shares the network options; its own copy names its metrics apart.
        sink.setNetClientOptions(new NetClientOptions(built.getNetClientOptions()).setMetricsName("redis|sink"));
        return sink;
    }

    @PreDestroy
    void close() {
        Redis made = client;
        if (made != null) {
            made.close();
        }
    }
}
