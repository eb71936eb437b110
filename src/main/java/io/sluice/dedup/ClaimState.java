package io.sluice.dedup;

/** What a claim attempt found in Redis. */
public enum ClaimState {
    /** This owner holds the claim now (newly, or still from an earlier attempt of its own). */
    CLAIMED,
    /** The event was stored before: a duplicate. */
    DONE,
    /** Another owner holds a live claim: the event is being stored elsewhere right now. */
    HELD_ELSEWHERE
}
