package io.sluice.replay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replay of a tenant's events accepted in [{@code from}, {@code to}), and how far it got.
 * Progress lives on the replica running it; the rows it restores live in PostgreSQL.
 */
final class Replay {

    enum Status {
        RUNNING,
        DONE,
        CANCELLED,
        FAILED
    }

    final String id;
    final String tenant;
    final Instant from;
    final Instant to;
    final boolean dryRun;
    final Instant startedAt = Instant.now();
    /**
     * Records of the range read from the events topic, of every tenant: logged, never answered
     * (it would tell a tenant how much the others sent).
     */
    final AtomicLong read = new AtomicLong();
    /** Of those, the tenant's events. */
    final AtomicLong matched = new AtomicLong();
    /** Of those, rows that were missing and are stored again. */
    final AtomicLong restored = new AtomicLong();

    private volatile Status status = Status.RUNNING;
    private volatile boolean cancelRequested;
    private volatile String error;
    private volatile Instant endedAt;
    private volatile boolean started;

    Replay(String id, String tenant, Instant from, Instant to, boolean dryRun) {
        this.id = id;
        this.tenant = tenant;
        this.from = from;
        this.to = to;
        this.dryRun = dryRun;
    }

    void cancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    Status status() {
        return status;
    }

    /** Null while it runs or waits to. */
    Instant endedAt() {
        return endedAt;
    }

    /** Taken by a runner thread (it may still be waiting for one before). */
    void started() {
        started = true;
    }

    boolean waiting() {
        return !started && endedAt == null;
    }

    void end(Status status, String error) {
        this.error = error;
        this.endedAt = Instant.now();
        this.status = status;
    }

    ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", id);
        json.put("status", status.name().toLowerCase());
        json.put("from", from.toString());
        json.put("to", to.toString());
        json.put("dryRun", dryRun);
        json.put("matched", matched.get());
        json.put("restored", restored.get());
        json.put("startedAt", startedAt.toString());
        if (endedAt != null) {
            json.put("endedAt", endedAt.toString());
        }
        if (error != null) {
            json.put("error", error);
        }
        return json;
    }
}
