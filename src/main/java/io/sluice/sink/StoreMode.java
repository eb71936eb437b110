package io.sluice.sink;

/** Why records are being stored, which decides how much of what was stored before is trusted. */
enum StoreMode {
    /**
     * Records consumed from the events topic: Redis's {@code done} marks are trusted, events found
     * stored are dedup hits, and a row the database keeps refusing is dead-lettered.
     */
    CONSUME,

    /**
     * Records read again for a replay, which exists to restore rows lost after they were marked
     * done (deleted behind Sluice's back, say): the database alone decides what is new, nothing
     * found stored is a new dedup hit, and a refused row is skipped, since it was dead-lettered
     * when it first came.
     */
    REPLAY;

    boolean trustsDoneMarks() {
        return this == CONSUME;
    }

    boolean countsDuplicates() {
        return this == CONSUME;
    }

    boolean deadLettersRefusals() {
        return this == CONSUME;
    }
}
