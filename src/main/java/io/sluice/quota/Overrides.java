package io.sluice.quota;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** A tenant's row of {@code tenant_quotas}: each value its own, or null for the default. */
record Overrides(
        Integer rules, Integer keys, Integer streams, Integer replays, Duration replayRange, Integer requests) {

    /** The quotas in effect: these overrides over {@code defaults}. */
    TenantQuotas over(TenantQuotas defaults) {
        Set<Quota> own = EnumSet.noneOf(Quota.class);
        return new TenantQuotas(
                pick(rules, defaults.rules(), Quota.RULES, own),
                pick(keys, defaults.keys(), Quota.KEYS, own),
                pick(streams, defaults.streams(), Quota.STREAMS, own),
                pick(replays, defaults.replays(), Quota.REPLAYS, own),
                pick(replayRange, defaults.replayRange(), Quota.REPLAY_RANGE, own),
                pick(requests, defaults.requests(), Quota.REQUESTS, own),
                Set.copyOf(own));
    }

    private static <T> T pick(T own, T fallback, Quota quota, Set<Quota> owned) {
        if (own == null) {
            return fallback;
        }
        owned.add(quota);
        return own;
    }
}
