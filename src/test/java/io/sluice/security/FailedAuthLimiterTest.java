package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The limiter's bookkeeping, with time given explicitly: the count and the window, the bound on
 * the addresses it remembers, and that a lookup (what every request with a credential makes)
 * allocates nothing. FailedAuthLimitTest shows the limit in the running application.
 */
class FailedAuthLimiterTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final long START = 1_000_000_000L;

    @Test
    void anAddressIsRefusedFromItsNthFailureUntilTheWindowEnds() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(3, WINDOW, 100, new SimpleMeterRegistry());
        limiter.failed("192.0.2.1", START);
        limiter.failed("192.0.2.1", START + 1_000);
        assertThat(limiter.refusedFor("192.0.2.1", START + 2_000)).isZero();
        limiter.failed("192.0.2.1", START + 3_000);

        assertThat(limiter.refusedFor("192.0.2.1", START + 4_000)).isEqualTo(WINDOW.toNanos() - 4_000);
        assertThat(limiter.refusedFor("192.0.2.2", START + 4_000))
                .as("another address")
                .isZero();
        assertThat(limiter.refusedFor("192.0.2.1", START + WINDOW.toNanos()))
                .as("window over")
                .isZero();

        // A failure after the window starts a new one, counted from 1.
        limiter.failed("192.0.2.1", START + WINDOW.toNanos() + 1);
        assertThat(limiter.refusedFor("192.0.2.1", START + WINDOW.toNanos() + 2))
                .isZero();
    }

    @Test
    void zeroAttemptsTurnsTheLimitOff() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(0, WINDOW, 100, new SimpleMeterRegistry());
        for (int i = 0; i < 10; i++) {
            limiter.failed("192.0.2.1", START + i);
        }
        assertThat(limiter.refusedFor("192.0.2.1", START + 10)).isZero();
        assertThat(limiter.addresses()).isZero();
    }

    @Test
    void aFloodOfAddressesDoesNotGrowTheTable() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(3, WINDOW, 1_000, new SimpleMeterRegistry());
        for (int i = 0; i < 100_000; i++) {
            limiter.failed("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), START + i);
        }
        assertThat(limiter.addresses()).isBetween(999, 1_000);

        // Ended windows go first: once they are all over, the next new address sweeps them out.
        long later = START + WINDOW.toNanos() + 200_000;
        for (int i = 0; i < 3; i++) {
            limiter.failed("192.0.2.1", later + i);
        }
        assertThat(limiter.addresses()).isEqualTo(1);
        assertThat(limiter.refusedFor("192.0.2.1", later + 10)).isPositive();
    }

    @Test
    void aLookupAllocatesNothing() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(3, WINDOW, 10_000, new SimpleMeterRegistry());
        String[] addresses = new String[1_000];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = "198.51.100." + (i % 250) + "-" + i;
            limiter.failed(addresses[i], START);
            addresses[i].hashCode(); // Strings cache their hash: as a connection's address does
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long refused = 0;
        for (int round = 0; round < 2; round++) { // the first round warms up
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1_000_000; i++) {
                refused += limiter.refusedFor(addresses[i % addresses.length], START + i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertThat(allocated).as("bytes allocated by a million lookups").isLessThan(16_384);
            }
        }
        assertThat(refused).isZero();
    }
}
