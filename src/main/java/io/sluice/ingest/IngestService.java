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
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes a request's events from bytes to acknowledged Kafka records. Nothing is sent unless
 * every event of the request is valid; once sent, each event's outcome is Kafka's answer,
 * or 503 when no answer came within {@code sluice.ingest.ack-timeout}.
 *
 * <p>This and the other beans a request passes through are {@code @Singleton}s, not
 * {@code @ApplicationScoped}: a call then goes to the bean itself, not through a client proxy
 * that looks the instance up on every call (which showed in the ingest profile).
 */
@Singleton
public class IngestService {

    private static final int MAX_REPORTED_VIOLATIONS = 100;

    private final EventPublisher publisher;
    private final InFlightBudget budget;
    private final StrictJson json;
    private final EventDecoder decoder;
    private final AcceptedCounts acceptedCounts;
    private final SluiceConfig.Ingest config;
    private final Vertx vertx;

    private final Counter accepted;
    private final Counter unavailable;
    private final Timer answered;

    IngestService(
            EventPublisher publisher,
            InFlightBudget budget,
            AcceptedCounts acceptedCounts,
            SluiceConfig config,
            MeterRegistry metrics,
            Vertx vertx) {
        this.vertx = vertx;
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
        PendingAnswer pending;
        Instant acceptedAt = Instant.now();
        Timer.Sample sending = Timer.start();
        try {
            events = prepare(contentType, headers, body);
            pending = new PendingAnswer(
                    events, config.ackTimeout(), vertx.getOrCreateContext(), () -> budget.release(body.length));
            publisher.publish(tenant, acceptedAt, events, pending);
        } catch (RuntimeException e) {
            budget.release(body.length);
            throw e;
        }
        return Uni.createFrom().completionStage(pending.answer()).map(outcomes -> {
            sending.stop(answered);
            IngestResult result = IngestResult.of(outcomes);
            accepted.increment(result.accepted());
            unavailable.increment(outcomes.size() - result.accepted());
            // Reconciliation counts what the client is told was accepted.
            acceptedCounts.accepted(tenant, acceptedAt, result.accepted());
            return result;
        });
    }

    private List<PreparedEvent> prepare(String contentType, Map<String, String> headers, byte[] body) {
        List<EventDecoder.Decoded> events = decoder.decode(contentType, headers, body);
        if (events.size() > config.maxEventsPerRequest()) {
            throw ProblemException.of(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    "A request holds at most " + config.maxEventsPerRequest() + " events.");
        }
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < events.size() && violations.size() < MAX_REPORTED_VIOLATIONS; i++) {
            violations.addAll(CloudEventRules.check(i, events.get(i).event()));
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
            EventDecoder.Decoded event = events.get(i);
            byte[] record = event.json() != null ? event.json() : serialize(event.event());
            prepared.add(PreparedEvent.of(i, event.event(), record));
        }
        return prepared;
    }

    private byte[] serialize(JsonNode event) {
        try {
            return json.mapper().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed event could not be written back", e);
        }
    }

    ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(ProblemType.UNAVAILABLE, detail), config.retryAfter());
    }
}
