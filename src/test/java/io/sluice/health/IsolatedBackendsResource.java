package io.sluice.health;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sluice.testing.LocalStack;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.TcpProxy;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** Backends that {@link HealthDownTest} may take away without disturbing other tests. */
public class IsolatedBackendsResource implements QuarkusTestResourceLifecycleManager {

    private static LocalStack kafka;
    private static TcpProxy postgres;
    private static TcpProxy redis;

    static LocalStack kafka() {
        return kafka;
    }

    static TcpProxy postgres() {
        return postgres;
    }

    static TcpProxy redis() {
        return redis;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> shared = LocalStackResource.sharedConfig();
        URI postgresUrl = URI.create(shared.get("quarkus.datasource.reactive.url"));
        URI redisUrl = URI.create(shared.get("quarkus.redis.hosts"));
        postgres = new TcpProxy(postgresUrl.getPort());
        redis = new TcpProxy(redisUrl.getPort());
        kafka = LocalStack.isolated("health");
        kafka.up();

        Map<String, String> config = new HashMap<>(shared);
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + postgres.port() + postgresUrl.getPath());
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port());
        return config;
    }

    @Override
    public void stop() {
        kafka.down();
        postgres.close();
        redis.close();
    }
}
