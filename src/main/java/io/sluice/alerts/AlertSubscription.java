package io.sluice.alerts;

import io.sluice.config.SluiceConfig;
import io.vertx.core.Context;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * One SSE client. Sends its tenant's alerts in stream order, each exactly once, starting after
 * {@code lastSent}: alerts that arrive live in order go straight out; a gap (or a fresh
 * connection with Last-Event-ID) is filled from the history first. All state is touched on
 * the connection's own Vert.x context only, so sends keep their order without locks.
 *
 * <p>Memory per client is bounded: at most {@code maxBuffered} alerts wait here, plus
 * {@link #MAX_UNWRITTEN} handed to the connection and not yet written to its socket. A client
 * that falls further behind gets a final {@code cut-off} event and is closed; it reconnects
 * with Last-Event-ID and misses nothing.
 */
final class AlertSubscription {

    private static final Logger LOG = Logger.getLogger(AlertSubscription.class);
    static final int MAX_UNWRITTEN = 64;
    private static final long CUT_OFF_GRACE_MILLIS = 5_000;

    private final String tenant;
    private final Set<String> severities;
    private final Set<String> rules;
    private final SseEventSink sink;
    private final Sse sse;
    private final Context context;
    private final AlertLog log;
    private final AlertHub hub;
    private final SluiceConfig.Alerts.Stream config;

    private final ArrayDeque<Alert> queue = new ArrayDeque<>();
    /** The last stream number taken into the queue (sent or filtered out). */
    private long lastQueued;

    private int unwritten;
    private boolean catchingUp;
    private boolean moreWaiting;
    private boolean closed;
    private long heartbeatTimer = -1;

    AlertSubscription(
            String tenant,
            Set<String> severities,
            Set<String> rules,
            SseEventSink sink,
            Sse sse,
            Context context,
            AlertLog log,
            AlertHub hub,
            SluiceConfig.Alerts.Stream config) {
        this.tenant = tenant;
        this.severities = severities;
        this.rules = rules;
        this.sink = sink;
        this.sse = sse;
        this.context = context;
        this.log = log;
        this.hub = hub;
        this.config = config;
    }

    String tenant() {
        return tenant;
    }

    /** Starts after {@code lastEventId}, or after the tenant's latest alert when it is null. */
    void start(Long lastEventId) {
        context.runOnContext(ignored -> {
            catchingUp = true; // live alerts that come meanwhile only mark that there is more
            hub.add(this);
            send(sse.newEventBuilder()
                    .comment("sluice alerts of tenant " + tenant)
                    .reconnectDelay(config.retry().toMillis())
                    .build());
            heartbeatTimer = context.owner().setPeriodic(config.heartbeat().toMillis(), id -> heartbeat());
            if (lastEventId != null) {
                lastQueued = lastEventId;
                catchUp();
            } else {
                log.position(tenant)
                        .subscribe()
                        .with(
                                position -> context.runOnContext(v -> {
                                    lastQueued = position;
                                    catchUp();
                                }),
                                this::fail);
            }
        });
    }

    /** From the hub's thread. */
    void live(Alert alert) {
        context.runOnContext(ignored -> {
            if (closed || alert.seq() <= lastQueued) {
                return; // seen already (or relayed twice)
            }
            if (catchingUp) {
                moreWaiting = true;
            } else if (alert.seq() == lastQueued + 1) {
                enqueue(alert);
            } else {
                catchUp(); // a gap: what lies between is in the history
            }
        });
    }

    /** Reads the history after {@code lastQueued}, page by page, until it has caught up. */
    private void catchUp() {
        catchingUp = true;
        moreWaiting = false;
        log.after(tenant, lastQueued, config.catchUpPage())
                .subscribe()
                .with(
                        page -> context.runOnContext(ignored -> {
                            if (closed) {
                                return;
                            }
                            for (Alert alert : page) {
                                if (alert.seq() == lastQueued + 1) {
                                    enqueue(alert);
                                }
                            }
                            if (closed) {
                                return;
                            }
                            if (page.size() == config.catchUpPage() || moreWaiting) {
                                catchUp();
                            } else {
                                catchingUp = false;
                            }
                        }),
                        this::fail);
    }

    private void enqueue(Alert alert) {
        lastQueued = alert.seq();
        if (!severities.isEmpty() && !severities.contains(alert.severity())
                || !rules.isEmpty() && !rules.contains(alert.ruleId())) {
            return;
        }
        if (queue.size() >= config.maxBuffered()) {
            cutOff();
            return;
        }
        queue.add(alert);
        pump();
    }

    /** Hands queued alerts to the connection while it keeps up. */
    private void pump() {
        while (!closed && unwritten < MAX_UNWRITTEN && !queue.isEmpty()) {
            Alert alert = queue.poll();
            send(sse.newEventBuilder()
                    .id(Long.toString(alert.seq()))
                    .name(alert.status())
                    .mediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                    .data(alert.toJson().toString())
                    .build());
        }
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
        sent.whenComplete((result, failure) -> context.runOnContext(ignored -> {
            unwritten--;
            if (failure != null) {
                close(); // the client went away
            } else {
                pump();
            }
        }));
    }

    private void heartbeat() {
        if (!closed && unwritten < MAX_UNWRITTEN) {
            send(sse.newEventBuilder().comment("heartbeat").build());
        }
    }

    private void cutOff() {
        LOG.debugf("cutting off a slow alert stream client of tenant %s after %d queued alerts", tenant, queue.size());
        queue.clear();
        closed = true;
        hub.remove(this);
        context.owner().cancelTimer(heartbeatTimer);
        try {
            sink.send(sse.newEventBuilder()
                            .name("cut-off")
                            .data("{\"reason\":\"the client reads too slowly; reconnect with Last-Event-ID\"}")
                            .build())
                    .whenComplete((result, failure) -> context.runOnContext(ignored -> close()));
            // A client that reads nothing at all would never take the final event.
            context.owner().setTimer(CUT_OFF_GRACE_MILLIS, id -> close());
        } catch (IllegalStateException clientGone) {
            close();
        }
    }

    private void fail(Throwable failure) {
        LOG.warnf("an alert stream of tenant %s failed: %s", tenant, failure.toString());
        context.runOnContext(ignored -> close());
    }

    private void close() {
        closed = true;
        queue.clear();
        hub.remove(this);
        context.owner().cancelTimer(heartbeatTimer);
        if (!sink.isClosed()) {
            try {
                sink.close();
            } catch (IllegalStateException alreadyGone) {
                // nothing left to close
            }
        }
    }
}
