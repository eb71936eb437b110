package io.sluice.ingest;

import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One request's events from their sends to the answer. Kafka settles each event on its own
 * thread, acknowledged or failed; the answer is made on the request's event loop once every
 * event is settled or the ack timeout has passed, whichever comes first: one timer per
 * request, not per event. An event still unsettled at the timeout is answered 503 and stays
 * so, whatever Kafka says later: the client may then retry it with the same id, and dedup
 * stores it once. {@code allSettled} runs when Kafka has settled every event, which may be
 * after the answer: until then the request's bytes are still in the producer.
 */
final class PendingAnswer implements EventPublisher.Settled {

    private static final Logger LOG = Logger.getLogger(PendingAnswer.class);

    private final List<PreparedEvent> events;
    private final AtomicReferenceArray<EventOutcome> outcomes;
    private final AtomicInteger unsettled;
    private final Runnable allSettled;
    private final Context context;
    private final CompletableFuture<List<EventOutcome>> answer = new CompletableFuture<>();
    private final String timedOut;
    private final long timer;

    /** Starts the ack timeout; call on the request's event loop, before anything is sent. */
    PendingAnswer(List<PreparedEvent> events, Duration ackTimeout, Context context, Runnable allSettled) {
        this.events = events;
        this.outcomes = new AtomicReferenceArray<>(events.size());
        this.unsettled = new AtomicInteger(events.size());
        this.allSettled = allSettled;
        this.context = context;
        this.timedOut = "Kafka did not acknowledge within " + ackTimeout.toSeconds() + " s.";
        this.timer = context.owner().setTimer(Math.max(1, ackTimeout.toMillis()), id -> answer(true));
    }

    /** Each event's outcome, in request order, completed on the request's event loop. */
    CompletionStage<List<EventOutcome>> answer() {
        return answer;
    }

    @Override
    public void settled(int index, RecordMetadata written, Exception failure) {
        PreparedEvent event = events.get(index);
        EventOutcome outcome;
        if (failure == null) {
            outcome = EventOutcome.accepted(
                    event.index(), event.source(), event.id(), written.partition(), written.offset());
        } else {
            LOG.debugf(failure, "event %d of a request was not acknowledged", event.index());
            outcome = EventOutcome.unavailable(event.index(), event.source(), event.id(), describe(failure));
        }
        // Lost to the timeout if that came first: the client has been told 503 already.
        outcomes.compareAndSet(index, null, outcome);
        if (unsettled.decrementAndGet() == 0) {
            allSettled.run();
            context.runOnContext(ignored -> answer(false));
        }
    }

    /** On the event loop: by the timer, or once every event is settled. */
    private void answer(boolean timeout) {
        if (answer.isDone()) {
            return;
        }
        if (timeout) {
            for (int i = 0; i < events.size(); i++) {
                PreparedEvent event = events.get(i);
                outcomes.compareAndSet(
                        i, null, EventOutcome.unavailable(event.index(), event.source(), event.id(), timedOut));
            }
        } else {
            context.owner().cancelTimer(timer);
        }
        List<EventOutcome> answered = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            answered.add(outcomes.get(i));
        }
        answer.complete(answered);
    }

    /** Why Kafka did not take an event, in words for the client: no class names. */
    private static String describe(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "Kafka did not acknowledge within the delivery timeout.";
        }
        if (failure instanceof NotEnoughReplicasException || failure instanceof NotEnoughReplicasAfterAppendException) {
            return "Too few in-sync replicas to store the event durably.";
        }
        if (failure instanceof RecordTooLargeException) {
            return "The event is larger than Kafka accepts.";
        }
        return "Kafka could not take the event.";
    }
}
