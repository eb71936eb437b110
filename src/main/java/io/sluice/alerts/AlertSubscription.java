package io.sluice.alerts;

import io.sluice.config.SluiceConfig;
import io.sluice.security.ApiKeys;
import io.vertx.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Instant;
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
 * Last-Event-ID and misses nothing. One whose credential is revoked or expires gets a final
 * {@code revoked} event and is closed, within a tick here and a key refresh on other replicas.
 *
 * <p>Where the subscription stands is one {@link State}; every change of it happens on the
 * connection's own Vert.x context, so sends keep their order without locks.
 */
final class AlertSubscription {

    private static final Logger LOG = Logger.getLogger(AlertSubscription.class);
    private static final long CUT_OFF_GRACE_MILLIS = 5_000;
    private static final long TICK_MILLIS = 500;

    /** Which of the tenant's alerts the client asked for; an empty set asks for all. */
    record Selection(String tenant, Set<String> severities, Set<String> rules) {

        boolean wants(Alert alert) {
            return (severities.isEmpty() || severities.contains(alert.severity()))
                    && (rules.isEmpty() || rules.contains(alert.ruleId()));
        }
    }

    /**
     * The client's end: its SSE events, how to build them, the Vert.x context it lives on, and
     * the credential it opened the stream with.
     */
    record Connection(SseEventSink events, Sse sse, Context context, String credential) {}

    /** What every subscription of this replica shares. */
    record Shared(AlertLog history, AlertHub hub, ApiKeys keys, SluiceConfig.Alerts.Stream config) {}

    /** Where the subscription stands with its tenant's stream of alerts. */
    enum State {
        /** Every alert up to {@code lastSent} is handed over: the next live one may go straight out. */
        CAUGHT_UP,
        /** Alerts after {@code lastSent} exist: read them from the history when the buffer has room. */
        BEHIND,
        /** A page of the history is being read. */
        READING,
        /** A page of the history is being read, and live alerts came meanwhile: read on after it. */
        READING_WITH_MORE,
        /** Closed, or being cut off: nothing more is sent. */
        ENDED
    }

    private final Selection selection;
    private final Connection connection;
    private final Shared shared;
    /** Gives the stream's place back under the stream caps when it ends. */
    private final Runnable onEnd;

    /** Until {@link #start} knows where to begin, live alerts only say there is more. */
    private State state = State.READING;
    /** The last stream number handed out (or skipped by the selection). */
    private long lastSent;
    /** Events handed to the connection and not yet written to its socket. */
    private int handedNotWritten;
    /** Since when the buffer has been full ({@link System#nanoTime()}), or 0 while it has room. */
    private long fullSince;

    private long lastWrite = System.nanoTime();
    private long tickTimer = -1;

    AlertSubscription(Selection selection, Connection connection, Shared shared, Runnable onEnd) {
        this.selection = selection;
        this.connection = connection;
        this.shared = shared;
        this.onEnd = onEnd;
    }

    String tenant() {
        return selection.tenant();
    }

    /** Starts after {@code lastEventId}, or after the tenant's latest alert when it is null. */
    void start(Long lastEventId) {
        connection.context().runOnContext(ignored -> {
            shared.hub().add(this);
            send(connection
                    .sse()
                    .newEventBuilder()
                    .comment("alerts of tenant " + tenant())
                    .reconnectDelay(shared.config().retry().toMillis())
                    .build());
            if (state == State.ENDED) {
                return; // the client went away at once
            }
            tickTimer = connection.context().owner().setPeriodic(TICK_MILLIS, id -> tick());
            if (lastEventId != null) {
                lastSent = lastEventId;
                readHistory();
            } else {
                shared.history()
                        .position(tenant())
                        .subscribe()
                        .with(
                                position -> connection.context().runOnContext(v -> {
                                    lastSent = position;
                                    readHistory();
                                }),
                                this::fail);
            }
        });
    }

    /** From the hub's thread; {@code json} is the alert as clients see it, made once for all of them. */
    void live(Alert alert, String json) {
        connection.context().runOnContext(ignored -> {
            if (state == State.ENDED || alert.seq() <= lastSent) {
                return; // sent already (or relayed twice)
            }
            if (state == State.CAUGHT_UP && alert.seq() == lastSent + 1 && hasRoom()) {
                write(alert, json);
                return;
            }
            if (state == State.CAUGHT_UP) {
                state = State.BEHIND;
            } else if (state == State.READING) {
                state = State.READING_WITH_MORE;
            }
            readHistoryIfRoom();
        });
    }

    private boolean hasRoom() {
        return handedNotWritten < shared.config().buffer();
    }

    private void readHistoryIfRoom() {
        if (state != State.BEHIND) {
            return;
        }
        if (hasRoom()) {
            readHistory();
        } else if (fullSince == 0) {
            fullSince = System.nanoTime();
        }
    }

    /** Reads as much of the history after {@code lastSent} as the buffer has room for. */
    private void readHistory() {
        if (state == State.ENDED) {
            return; // the client went away while its position was looked up
        }
        state = State.READING;
        int room = Math.min(shared.config().catchUpPage(), shared.config().buffer() - handedNotWritten);
        shared.history()
                .after(tenant(), lastSent, Math.max(1, room))
                .subscribe()
                .with(page -> connection.context().runOnContext(ignored -> read(page, room)), this::fail);
    }

    private void read(List<Alert> page, int asked) {
        if (state == State.ENDED) {
            return;
        }
        // A full page may not be the end of the history; live alerts that came meanwhile are not in it.
        boolean more = state == State.READING_WITH_MORE || page.size() >= asked;
        state = more ? State.BEHIND : State.CAUGHT_UP;
        for (Alert alert : page) {
            if (alert.seq() == lastSent + 1) {
                write(alert, null);
            }
        }
        readHistoryIfRoom();
    }

    private void write(Alert alert, String json) {
        lastSent = alert.seq();
        if (!selection.wants(alert)) {
            return;
        }
        send(connection
                .sse()
                .newEventBuilder()
                .id(Long.toString(alert.seq()))
                .name(alert.status())
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(json != null ? json : alert.toJson().toString())
                .build());
    }

    private void send(OutboundSseEvent event) {
        CompletionStage<?> sent;
        try {
            sent = connection.events().send(event);
        } catch (IllegalStateException clientGone) {
            close(); // the connection closed before the sink noticed
            return;
        }
        handedNotWritten++;
        lastWrite = System.nanoTime();
        sent.whenComplete((result, failure) -> connection.context().runOnContext(ignored -> {
            handedNotWritten--;
            if (failure != null) {
                close(); // the client went away
                return;
            }
            if (hasRoom()) {
                fullSince = 0;
            }
            readHistoryIfRoom();
        }));
    }

    /** Heartbeats on a quiet stream, and the end of a client that stays stalled or lost its credential. */
    private void tick() {
        if (state == State.ENDED) {
            return;
        }
        if (!shared.keys().stillUsable(connection.credential(), Instant.now())) {
            LOG.debugf("ending an alert stream of tenant %s: its credential was revoked or expired", tenant());
            endWith(
                    "revoked",
                    "{\"reason\":\"the credential this stream was opened with was revoked or has expired\"}");
            return;
        }
        long now = System.nanoTime();
        if (!hasRoom()) {
            if (fullSince == 0) {
                fullSince = now;
            } else if (now - fullSince > shared.config().maxStall().toNanos()) {
                LOG.debugf(
                        "cutting off an alert stream client of tenant %s: stalled at stream number %d",
                        tenant(), lastSent);
                endWith("cut-off", "{\"reason\":\"the client reads too slowly; reconnect with Last-Event-ID\"}");
            }
            return;
        }
        if (now - lastWrite > shared.config().heartbeat().toNanos()) {
            send(connection.sse().newEventBuilder().comment("heartbeat").build());
        }
    }

    /** Ends the stream with one last event, {@code name}, whose data says why. */
    private void endWith(String name, String data) {
        end();
        try {
            connection
                    .events()
                    .send(connection
                            .sse()
                            .newEventBuilder()
                            .name(name)
                            .data(data)
                            .build())
                    .whenComplete((result, failure) -> connection.context().runOnContext(ignored -> closeEvents()));
            // A client that reads nothing at all would never take the final event.
            connection.context().owner().setTimer(CUT_OFF_GRACE_MILLIS, id -> closeEvents());
        } catch (IllegalStateException clientGone) {
            closeEvents();
        }
    }

    private void fail(Throwable failure) {
        LOG.warnf("an alert stream of tenant %s failed: %s", tenant(), failure.toString());
        connection.context().runOnContext(ignored -> close());
    }

    private void close() {
        end();
        closeEvents();
    }

    /** Sends nothing more and gives the stream's place back; once, however often it is called. */
    private void end() {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        shared.hub().remove(this);
        connection.context().owner().cancelTimer(tickTimer);
        onEnd.run();
    }

    private void closeEvents() {
        if (!connection.events().isClosed()) {
            try {
                connection.events().close();
            } catch (IllegalStateException alreadyGone) {
                // nothing left to close
            }
        }
    }
}
