package io.sluice.dedup;

/** The identity of an event: a CloudEvents source and id, within a tenant. */
public record DedupKey(String tenant, String source, String id) {

    /**
     * The Redis key. Each part is length-prefixed: sources are URIs full of ':' and a plain
     * join would let ("a:b", "c") and ("a", "b:c") share a key, making one event hide another.
     * No braces: in Redis Cluster they would pin every key of a tenant to one slot.
     */
    public String redisKey() {
        return "dedup:" + tenant.length() + ":" + tenant + ":" + source.length() + ":" + source + ":" + id;
    }
}
