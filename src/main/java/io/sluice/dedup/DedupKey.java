package io.sluice.dedup;

/** The identity of an event: a CloudEvents source and id, within a tenant. */
public record DedupKey(String tenant, String source, String id) {

    /**
     * Mixed with a large odd multiplier, not the record's default 31: ids and sources that count
     * up in their last characters ("order-000123" from "/shop/07") otherwise collide so often
     * that a batch's hash maps degrade into trees, which showed in the sink's profile.
     */
    @Override
    public int hashCode() {
        int h = tenant.hashCode();
        h = h * 0x9E3779B1 + source.hashCode();
        return h * 0x9E3779B1 + id.hashCode();
    }

    /**
     * The Redis key. Each part is length-prefixed: sources are URIs full of ':' and a plain
     * join would let ("a:b", "c") and ("a", "b:c") share a key, making one event hide another.
     * No braces: in Redis Cluster they would pin every key of a tenant to one slot.
     */
    public String redisKey() {
        return "dedup:" + tenant.length() + ":" + tenant + ":" + source.length() + ":" + source + ":" + id;
    }
}
