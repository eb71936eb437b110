package io.sluice.proof;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's side of the total-queue check: every id it sent, every id the gateway
 * acknowledged, and every HTTP attempt with when it started, when it ended and what it got.
 * Compared with the database at the end ({@link Tally}).
 */
final class Ledger {

    /** An attempt that got no HTTP answer (timeout, connection refused or reset). */
    static final int NO_ANSWER = 0;

    /** One HTTP request: its start and end ({@link System#nanoTime()}) and its status. */
    record Attempt(long startNanos, long endNanos, int status) {

        boolean success() {
            return status >= 200 && status < 300;
        }
    }

    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final LongAdder reposted = new LongAdder();
    private final LongAdder abandoned = new LongAdder();

    void sending(Collection<String> ids) {
        sent.addAll(ids);
    }

    void answered(long startNanos, long endNanos, int status) {
        attempts.add(new Attempt(startNanos, endNanos, status));
    }

    void acknowledged(String id) {
        acknowledged.add(id);
    }

    void reposted(int ids) {
        reposted.add(ids);
    }

    /** Ids the client stopped retrying before any attempt was acknowledged. */
    void abandoned(int ids) {
        abandoned.add(ids);
    }

    Set<String> sent() {
        return Set.copyOf(sent);
    }

    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    long reposted() {
        return reposted.sum();
    }

    long abandoned() {
        return abandoned.sum();
    }

    /** The attempts sent at or after {@code fromNanos} and answered (or given up) by {@code toNanos}. */
    List<Attempt> attemptsWithin(long fromNanos, long toNanos) {
        return attempts.stream()
                .filter(a -> a.startNanos() >= fromNanos && a.endNanos() <= toNanos)
                .toList();
    }

    /** The {@code percentile} (0-100) of the time to an answer of the attempts that got {@code status}, in ms. */
    double latencyMs(int status, double percentile) {
        long[] nanos = attempts.stream()
                .filter(a -> a.status() == status)
                .mapToLong(a -> a.endNanos() - a.startNanos())
                .sorted()
                .toArray();
        if (nanos.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100 * nanos.length) - 1;
        return nanos[Math.max(0, Math.min(nanos.length - 1, index))] / 1e6;
    }

    /** How many attempts ended with {@code status}. */
    long answers(int status) {
        return attempts.stream().filter(a -> a.status() == status).count();
    }
}
