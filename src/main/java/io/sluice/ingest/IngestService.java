package io.sluice.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.event.CloudEventRules;
import io.sluice.event.Violation;
import io.sluice.reconcile.AcceptedCounts;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Takes a request's events from bytes to acknowledged Kafka records. Nothing is sent unless
 * every event of the request is valid; once sent, each event's outcome is Kafka's answer,
 * or 503 when no answer came within {@code sluice.ingest.ack-timeout}.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final int MAX_REPORTED_VIOLATIONS = 100;

    private final EventPublisher publisher;
    private final InFlightBudget budget;
    private final StrictJson json;
    private final EventDecoder decoder;
    private final AcceptedCounts acceptedCounts;
    private final SluiceConfig.Ingest config;

    private final Counter accepted;
    private final Counter unavailable;
    private final Timer answered;

    IngestService(
            EventPublisher publisher,
            InFlightBudget budget,
            AcceptedCounts acceptedCounts,
            SluiceConfig config,
            MeterRegistry metrics) {
        this.accepted = metrics.counter("sluice.ingest.events", "outcome", "accepted");
        this.unavailable = metrics.counter("sluice.ingest.events", "outcome", "unavailable");
        this.answered = Timer.builder("sluice.ingest.acknowledged")
                .description(
                        "From a request's events being sent to Kafka to every one of them settled (acked or timed out)")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.publisher = publisher;
        this.budget = budget;
        this.acceptedCounts = acceptedCounts;
        this.config = config.ingest();
        this.json = new StrictJson(this.config.maxNestingDepth());
        this.decoder = new EventDecoder(json);
    }

    /**
     * @param headers request headers, names in lower case
     */
    public Uni<IngestResult> ingest(String tenant, String contentType, Map<String, String> headers, byte[] body) {
        if (!budget.tryAcquire(body.length)) {
            throw unavailable("Sluice holds as many events in flight as it may; retry shortly.");
        }
        List<PreparedEvent> events;
        List<Uni<EventOutcome>> sends;
        Instant acceptedAt = Instant.now();
        try {
            events = prepare(contentType, headers, body);
            sends = new ArrayList<>(events.size());
            for (PreparedEvent event : events) {
                sends.add(send(tenant, event, acceptedAt));
            }
        } catch (RuntimeException e) {
            budget.release(body.length);
            throw e;
        }
        // Subscribing here starts the sends; the budget is released once Kafka settled them all.
        Uni.join().all(sends).andFailFast().subscribe().with(settled -> budget.release(body.length));

        Duration timeout = config.ackTimeout();
        Timer.Sample sending = Timer.start();
        List<Uni<EventOutcome>> answers = new ArrayList<>(sends.size());
        for (int i = 0; i < sends.size(); i++) {
            PreparedEvent event = events.get(i);
            answers.add(sends.get(i)
                    .ifNoItem()
                    .after(timeout)
                    .recoverWithItem(() -> EventOutcome.unavailable(
                            event.index(),
                            event.source(),
                            event.id(),
                            "Kafka did not acknowledge within " + timeout.toSeconds() + " s.")));
        }
        return Uni.join().all(answers).andFailFast().map(outcomes -> {
            sending.stop(answered);
            int acceptedEvents =
                    (int) outcomes.stream().filter(EventOutcome::isAccepted).count();
            accepted.increment(acceptedEvents);
            unavailable.increment(outcomes.size() - acceptedEvents);
            // Reconciliation counts what the client is told was accepted.
            acceptedCounts.accepted(tenant, acceptedAt, acceptedEvents);
            return IngestResult.of(outcomes);
        });
    }

    private List<PreparedEvent> prepare(String contentType, Map<String, String> headers, byte[] body) {
        List<JsonNode> events = decoder.decode(contentType, headers, body);
        if (events.size() > config.maxEventsPerRequest()) {
            throw ProblemException.of(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    "A request holds at most " + config.maxEventsPerRequest() + " events.");
        }
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < events.size() && violations.size() < MAX_REPORTED_VIOLATIONS; i++) {
            violations.addAll(CloudEventRules.check(i, events.get(i)));
        }
        if (!violations.isEmpty()) {
            String detail = events.size() == 1
                    ? "The event is not a valid CloudEvent; nothing was accepted."
                    : "Some events are not valid CloudEvents; nothing was accepted.";
            throw new ProblemException(Problem.of(ProblemType.INVALID_EVENT, detail)
                    .with("errors", violations.subList(0, Math.min(violations.size(), MAX_REPORTED_VIOLATIONS))));
        }
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            prepared.add(PreparedEvent.of(i, events.get(i), serialize(events.get(i))));
        }
        return prepared;
    }

    private Uni<EventOutcome> send(String tenant, PreparedEvent event, Instant acceptedAt) {
        return publisher
                .publish(tenant, event.key(), event.record(), acceptedAt)
                .map(written -> EventOutcome.accepted(
                        event.index(), event.source(), event.id(), written.partition(), written.offset()))
                .onFailure()
                .recoverWithItem(failure -> {
                    LOG.debugf(failure, "event %d of a request was not acknowledged", event.index());
                    return EventOutcome.unavailable(event.index(), event.source(), event.id(), describe(failure));
                })
                // One send, observed twice: by the budget and by the answer.
                .memoize()
                .indefinitely();
    }

    private byte[] serialize(JsonNode event) {
        try {
            return json.mapper().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed event could not be written back", e);
        }
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

    ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(ProblemType.UNAVAILABLE, detail), config.retryAfter());
    }
}
