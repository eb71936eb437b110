package io.sluice.quota;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Set;

/** One tenant's quotas in effect: its overrides where it has them, else the defaults. */
public record TenantQuotas(
        int rules, int keys, int streams, int replays, Duration replayRange, int requests, Set<Quota> overridden) {

    /** The limit of a quota that counts things (every one but the replay range, a duration). */
    public int count(Quota quota) {
        return switch (quota) {
            case RULES -> rules;
            case KEYS -> keys;
            case STREAMS -> streams;
            case REPLAYS -> replays;
            case REQUESTS -> requests;
            case REPLAY_RANGE -> throw new IllegalArgumentException("the replay range is a duration, not a count");
        };
    }

    /** As answered by {@code /v1/admin/quotas}: each quota by its wire name, and which are the tenant's own. */
    public ObjectNode toJson(String tenant) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("tenant", tenant);
        json.put(Quota.RULES.wireName(), rules);
        json.put(Quota.KEYS.wireName(), keys);
        json.put(Quota.STREAMS.wireName(), streams);
        json.put(Quota.REPLAYS.wireName(), replays);
        json.put(Quota.REPLAY_RANGE.wireName(), replayRange.toString());
        json.put(Quota.REQUESTS.wireName(), requests);
        var own = json.putArray("overridden");
        for (Quota quota : Quota.values()) {
            if (overridden.contains(quota)) {
                own.add(quota.wireName());
            }
        }
        return json;
    }
}
