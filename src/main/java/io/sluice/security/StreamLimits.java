package io.sluice.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.quota.Quota;
import io.sluice.quota.Quotas;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps open alert streams per credential, per tenant (its {@code streams} quota, whichever of
 * its keys the streams use) and in all, on this replica: what a stream costs (a socket, a
 * bounded buffer, a timer) is spent here, so the caps are this replica's.
 */
@ApplicationScoped
public class StreamLimits {

    private final int perCredential;
    private final int total;
    private final Quotas quotas;
    private final Duration retryAfter;
    private final Map<String, Integer> openPerCredential = new HashMap<>();
    private final Map<String, Integer> openPerTenant = new HashMap<>();
    private int openInAll;

    StreamLimits(SluiceConfig config, Quotas quotas, MeterRegistry metrics) {
        this.perCredential = config.security().streams().perKey();
        this.total = config.security().streams().total();
        this.quotas = quotas;
        this.retryAfter = config.alerts().stream().retry();
        metrics.gauge("sluice.alerts.stream.clients", this, limits -> limits.openInAll());
    }

    /** A place for one more stream of {@code credential} of {@code tenant}; a 429 problem if a cap is reached. */
    public synchronized Slot open(String tenant, String credential) {
        int tenants = openPerTenant.getOrDefault(tenant, 0);
        int limit = quotas.of(tenant).streams();
        if (tenants >= limit) {
            throw Quota.STREAMS.exceeded(
                    limit, "The tenant has " + tenants + " alert streams open on this replica, its quota.", retryAfter);
        }
        int credentials = openPerCredential.getOrDefault(credential, 0);
        if (credentials >= perCredential || openInAll >= total) {
            throw new ProblemException(
                    Problem.of(
                            ProblemType.TOO_MANY_REQUESTS,
                            credentials >= perCredential
                                    ? "This credential has " + credentials + " alert streams open on this replica,"
                                            + " its limit (sluice.security.streams.per-key)."
                                    : "This replica serves as many alert streams as it may"
                                            + " (sluice.security.streams.total)."),
                    retryAfter);
        }
        openPerCredential.put(credential, credentials + 1);
        openPerTenant.put(tenant, tenants + 1);
        openInAll++;
        return new Slot(tenant, credential);
    }

    synchronized int openInAll() {
        return openInAll;
    }

    private synchronized void release(String tenant, String credential) {
        openPerCredential.computeIfPresent(credential, (key, count) -> count > 1 ? count - 1 : null);
        openPerTenant.computeIfPresent(tenant, (key, count) -> count > 1 ? count - 1 : null);
        openInAll--;
    }

    /** One open stream; closing it twice gives back one place. */
    public final class Slot implements Runnable {
        private final String tenant;
        private final String credential;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String tenant, String credential) {
            this.tenant = tenant;
            this.credential = credential;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                release(tenant, credential);
            }
        }
    }
}
