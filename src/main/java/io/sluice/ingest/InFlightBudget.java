package io.sluice.ingest;

import io.sluice.config.SluiceConfig;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of requests admitted but not yet settled by Kafka. A request takes its share before
 * it is parsed and gives it back when every one of its sends has settled (acknowledged or
 * failed), not when the client got its answer: a timed-out answer leaves the bytes in the
 * producer, and they count until Kafka lets go of them.
 */
@Singleton
public class InFlightBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    InFlightBudget(SluiceConfig config) {
        this.limit = config.ingest().maxInFlightBytes().asLongValue();
    }

    /** Takes {@code bytes} if they fit; a request bigger than the whole budget fits only when it is idle. */
    boolean tryAcquire(long bytes) {
        long current;
        do {
            current = used.get();
            if (current > 0 && current + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(current, current + bytes));
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
