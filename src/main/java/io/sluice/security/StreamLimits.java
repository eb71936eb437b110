package io.sluice.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps open alert streams per credential and in all, on this replica: what a stream costs (a
 * socket, a bounded buffer, a timer) is spent here, so the cap is this replica's.
 */
@ApplicationScoped
public class StreamLimits {

    private final int perCredential;
    private final int total;
    private final Map<String, Integer> open = new HashMap<>();
    private int openInAll;

    StreamLimits(SluiceConfig config, MeterRegistry metrics) {
        this.perCredential = config.security().streams().perKey();
        this.total = config.security().streams().total();
        metrics.gauge("sluice.alerts.stream.clients", this, limits -> limits.openInAll());
    }

    /** A place for one more stream of {@code credential}, or null if a cap is reached. */
    public synchronized Slot open(String credential) {
        int mine = open.getOrDefault(credential, 0);
        if (mine >= perCredential || openInAll >= total) {
            return null;
        }
        open.put(credential, mine + 1);
        openInAll++;
        return new Slot(credential);
    }

    synchronized int openInAll() {
        return openInAll;
    }

    private synchronized void release(String credential) {
        open.computeIfPresent(credential, (key, count) -> count > 1 ? count - 1 : null);
        openInAll--;
    }

    /** One open stream; closing it twice gives back one place. */
    public final class Slot implements Runnable {
        private final String credential;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String credential) {
            this.credential = credential;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                release(credential);
            }
        }
    }
}
