package io.sluice.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refused credentials per client address ({@code sluice.security.failed-auth}). Every request
 * whose credential is refused counts against its address: a made-up, wrong, revoked or expired
 * key, a bearer token that is neither a key nor the bootstrap key (a guess at the bootstrap
 * key), a bad JWT, a bad stream ticket. Past {@code attempts} in a window, the address's
 * requests that carry a credential are refused with 429 until the window ends, before the
 * credential is looked at: a guess past the limit learns nothing, a right one included, so the
 * bootstrap key cannot be guessed faster than the limit. An address shared with an attacker (a
 * NAT, a proxy without forwarding) is throttled with it.
 *
 * <p>Failures are counted where Quarkus reports them, its {@link AuthenticationFailureEvent}:
 * whichever mechanism refused the credential, Sluice's or SmallRye JWT's. The count lives in
 * this replica's memory: no Redis round trip on the failure path, and no Redis outage opens
 * it; an address that reaches {@code n} replicas gets {@code n} times the attempts. A
 * successful request reads one map entry and changes nothing, and an address is remembered
 * only once one of its credentials was refused. At most {@code addresses} are remembered:
 * those whose window is over go first; beyond that, during a flood of failing addresses, an
 * arbitrary one is forgotten (each of those failures was an attempt itself).
 */
@Singleton
class FailedAuthLimiter {

    /** A full table is swept of ended windows at most this often; between sweeps one entry makes room. */
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int attempts;
    private final long windowNanos;
    private final int capacity;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    /** When (System.nanoTime()) ended windows were last swept out; MIN_VALUE: never. */
    private final AtomicLong sweptAt = new AtomicLong(Long.MIN_VALUE);

    private final Counter counted;
    private final Counter refused;

    @Inject
    FailedAuthLimiter(SluiceConfig config, MeterRegistry metrics) {
        this(
                config.security().failedAuth().attempts(),
                config.security().failedAuth().window(),
                config.security().failedAuth().addresses(),
                metrics);
    }

    FailedAuthLimiter(int attempts, Duration window, int addresses, MeterRegistry metrics) {
        this.attempts = attempts;
        this.windowNanos = window.toNanos();
        this.capacity = Math.max(1, addresses);
        this.counted = metrics.counter("sluice.security.failed.auth", "outcome", "counted");
        this.refused = metrics.counter("sluice.security.failed.auth", "outcome", "refused-unchecked");
        metrics.gaugeMapSize("sluice.security.failed.auth.addresses", Tags.empty(), windows);
    }

    /** The address's window: its refused credentials so far, and when it ends (System.nanoTime()). */
    private static final class Window {
        final long endsAt;
        volatile int failures;

        Window(long endsAt) {
            this.endsAt = endsAt;
        }
    }

    /** The client's address: the connection's, or what a trusted proxy forwarded (quarkus.http.proxy.*). */
    static String address(RoutingContext context) {
        SocketAddress remote = context.request().remoteAddress();
        if (remote == null) {
            return null; // a Unix domain socket: no address to count under
        }
        String address = remote.hostAddress();
        return address != null ? address : remote.host();
    }

    /**
     * Null if a request of {@code context} that carries a credential may have it checked; else
     * the refusal to fail its authentication with (429 until the window ends).
     */
    AuthenticationFailedException refusal(RoutingContext context) {
        long wait = refusedFor(address(context), System.nanoTime());
        if (wait == 0) {
            return null;
        }
        refused.increment();
        // An authentication failure everywhere (outside the REST endpoints, Quarkus answers it
        // with its challenge), whose cause tells the problem mappers to answer 429 instead of 401.
        return new AuthenticationFailedException(new ProblemException(
                Problem.of(
                        ProblemType.TOO_MANY_REQUESTS,
                        "Too many refused credentials from this address; retry later. No credential is"
                                + " checked from it until then."),
                Duration.ofNanos(wait)));
    }

    /** How long (nanoseconds) requests from {@code address} are refused unchecked; 0: not refused. */
    long refusedFor(String address, long now) {
        if (attempts <= 0 || address == null) {
            return 0;
        }
        Window window = windows.get(address);
        if (window == null || window.failures < attempts) {
            return 0;
        }
        long left = window.endsAt - now;
        return left > 0 ? left : 0;
    }

    void failed(@Observes AuthenticationFailureEvent event) {
        Throwable failure = event.getAuthenticationFailure();
        // Only refused credentials; a refusal past the limit carries its problem and is not one.
        if (!(failure instanceof AuthenticationFailedException) || failure.getCause() instanceof ProblemException) {
            return;
        }
        if (event.getEventProperties().get(RoutingContext.class.getName()) instanceof RoutingContext context) {
            failed(address(context), System.nanoTime());
        }
    }

    void failed(String address, long now) {
        if (attempts <= 0 || address == null) {
            return;
        }
        if (!windows.containsKey(address)) {
            makeRoom(now);
        }
        windows.compute(address, (ignored, window) -> {
            Window current = window == null || window.endsAt - now <= 0 ? new Window(now + windowNanos) : window;
            current.failures++; // compute runs one at a time per address
            return current;
        });
        counted.increment();
    }

    int addresses() {
        return windows.size();
    }

    private void makeRoom(long now) {
        if (windows.size() < capacity) {
            return;
        }
        long swept = sweptAt.get();
        if ((swept == Long.MIN_VALUE || now - swept >= SWEEP_NANOS) && sweptAt.compareAndSet(swept, now)) {
            windows.values().removeIf(window -> window.endsAt - now <= 0);
        }
        Iterator<String> any = windows.keySet().iterator();
        while (windows.size() >= capacity && any.hasNext()) {
            any.next();
            any.remove();
        }
    }
}
