package io.sluice.alerts;

import io.sluice.config.SluiceConfig;
import io.vertx.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * One SSE client. Sends its tenant's alerts in stream order, each exactly once, starting after
 * {@code lastSent}. An alert that arrives live right after the last one sent goes straight
 * out; anything else — a gap, a fresh connection with Last-Event-ID, a client that was busy —
 * is read from the history. The history is the buffer: at most {@code buffer} alerts are ever
 * handed to the connection and not yet written to its socket, and nothing is queued beyond
 * them, so a slow client costs a bounded amount of heap. One whose buffer stays full for
 * {@code max-stall} gets a final {@code cut-off} event and is closed; it resumes with
 * Last-Event-ID and misses nothing.
 *
 * <p>All state is touched on the connection's own Vert.x context only, so sends keep their
 * order without locks.
 */
final class AlertSubscription {

    private static final Logger LOG = Logger.getLogger(AlertSubscription.class);
    private static final long CUT_OFF_GRACE_MILLIS = 5_000;
    private static final long TICK_MILLIS = 500;

    private final String tenant;
    private final Set<String> severities;
    private final Set<String> rules;
    private final SseEventSink sink;
    private final Sse sse;
    private final Context context;
    private final AlertLog log;
    private final AlertHub hub;
    private final SluiceConfig.Alerts.Stream config;
    /** Gives the stream's place back under the stream caps when it ends. */
    private final Runnable onEnd;

    /** The last stream number handed out (or skipped by the filters). */
    private long lastSent;
    /** Sends handed to the connection and not yet written. */
    private int unwritten;
    /** A history read is under way. */
    private boolean reading;
    /** Alerts after {@code lastSent} are known to exist: read them when there is room. */
    private boolean behind;

    private boolean closed;
    private long stalledSince;
    private long lastWrite = System.nanoTime();
    private long timer = -1;

    AlertSubscription(
            String tenant,
            Set<String> severities,
            Set<String> rules,
            SseEventSink sink,
            Sse sse,
            Context context,
            AlertLog log,
            AlertHub hub,
            SluiceConfig.Alerts.Stream config,
            Runnable onEnd) {
        this.tenant = tenant;
        this.severities = severities;
        this.rules = rules;
        this.sink = sink;
        this.sse = sse;
        this.context = context;
        this.log = log;
        this.hub = hub;
        this.config = config;
        this.onEnd = onEnd;
    }

    String tenant() {
        return tenant;
    }

    /** Starts after {@code lastEventId}, or after the tenant's latest alert when it is null. */
    void start(Long lastEventId) {
        context.runOnContext(ignored -> {
            reading = true; // live alerts that come meanwhile only mark that there is more
            hub.add(this);
            send(sse.newEventBuilder()
                    .comment("alerts of tenant " + tenant)
                    .reconnectDelay(config.retry().toMillis())
                    .build());
            timer = context.owner().setPeriodic(TICK_MILLIS, id -> tick());
            if (lastEventId != null) {
                lastSent = lastEventId;
                readHistory();
            } else {
                log.position(tenant)
                        .subscribe()
                        .with(
                                position -> context.runOnContext(v -> {
                                    lastSent = position;
                                    readHistory();
                                }),
                                this::fail);
            }
        });
    }

    /** From the hub's thread; {@code json} is the alert as clients see it, made once for all of them. */
    void live(Alert alert, String json) {
        context.runOnContext(ignored -> {
            if (closed || alert.seq() <= lastSent) {
                return; // sent already (or relayed twice)
            }
            if (!reading && !behind && alert.seq() == lastSent + 1 && hasRoom()) {
                write(alert, json);
            } else {
                behind = true;
                readHistoryIfRoom();
            }
        });
    }

    private boolean hasRoom() {
        return unwritten < config.buffer();
    }

    private void readHistoryIfRoom() {
        if (!reading && behind && !closed) {
            if (hasRoom()) {
                readHistory();
            } else if (stalledSince == 0) {
                stalledSince = System.nanoTime();
            }
        }
    }

    /** Reads as much of the history after {@code lastSent} as the buffer has room for. */
    private void readHistory() {
        reading = true;
        behind = false;
        int room = Math.min(config.catchUpPage(), config.buffer() - unwritten);
        log.after(tenant, lastSent, Math.max(1, room))
                .subscribe()
                .with(page -> context.runOnContext(ignored -> caughtUp(page, room)), this::fail);
    }

    private void caughtUp(List<Alert> page, int asked) {
        reading = false;
        if (closed) {
            return;
        }
        for (Alert alert : page) {
            if (alert.seq() == lastSent + 1) {
                write(alert, null);
            }
        }
        if (page.size() >= asked) {
            behind = true; // there may be more
        }
        readHistoryIfRoom();
    }

    private void write(Alert alert, String json) {
        lastSent = alert.seq();
        if (!severities.isEmpty() && !severities.contains(alert.severity())
                || !rules.isEmpty() && !rules.contains(alert.ruleId())) {
            return;
        }
        send(sse.newEventBuilder()
                .id(Long.toString(alert.seq()))
                .name(alert.status())
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(json != null ? json : alert.toJson().toString())
                .build());
    }

    private void send(OutboundSseEvent event) {
        CompletionStage<?> sent;
        try {
            sent = sink.send(event);
        } catch (IllegalStateException clientGone) {
            close(); // the connection closed before the sink noticed
            return;
        }
        unwritten++;
        lastWrite = System.nanoTime();
        sent.whenComplete((result, failure) -> context.runOnContext(ignored -> {
            unwritten--;
            if (failure != null) {
                close(); // the client went away
                return;
            }
            if (hasRoom()) {
                stalledSince = 0;
            }
            readHistoryIfRoom();
        }));
    }

    /** Heartbeats on a quiet stream, and the end of a client that stays stalled. */
    private void tick() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (!hasRoom()) {
            if (stalledSince == 0) {
                stalledSince = now;
            } else if (now - stalledSince > config.maxStall().toNanos()) {
                cutOff();
            }
            return;
        }
        if (now - lastWrite > config.heartbeat().toNanos()) {
            send(sse.newEventBuilder().comment("heartbeat").build());
        }
    }

    private void cutOff() {
        LOG.debugf("cutting off an alert stream client of tenant %s: stalled at stream number %d", tenant, lastSent);
        stop();
        try {
            sink.send(sse.newEventBuilder()
                            .name("cut-off")
                            .data("{\"reason\":\"the client reads too slowly; reconnect with Last-Event-ID\"}")
                            .build())
                    .whenComplete((result, failure) -> context.runOnContext(ignored -> closeSink()));
            // A client that reads nothing at all would never take the final event.
            context.owner().setTimer(CUT_OFF_GRACE_MILLIS, id -> closeSink());
        } catch (IllegalStateException clientGone) {
            closeSink();
        }
    }

    private void fail(Throwable failure) {
        LOG.warnf("an alert stream of tenant %s failed: %s", tenant, failure.toString());
        context.runOnContext(ignored -> close());
    }

    private void close() {
        stop();
        closeSink();
    }

    private void stop() {
        closed = true;
        hub.remove(this);
        context.owner().cancelTimer(timer);
        onEnd.run();
    }

    private void closeSink() {
        if (!sink.isClosed()) {
            try {
                sink.close();
            } catch (IllegalStateException alreadyGone) {
                // nothing left to close
            }
        }
    }
}
