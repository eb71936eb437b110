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
import io.sluice.reconcile.AnsweredCounts;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** Exit status of a fault-injection halt: a SIGKILLed process's (128 + 9). */
    private static final int HALT_STATUS = 137;

    private final EventPublisher publisher;
    private final InFlightBudget budget;
    private final StrictJson json;
    private final EventDecoder decoder;
    private final AnsweredCounts answeredCounts;
    private final SluiceConfig.Ingest config;
    private final Vertx vertx;

    /** Test only ({@code sluice.ingest.fault.halt-after-ack}): 0 on every real deployment. */
    private final int haltAfterAck;

    private final AtomicInteger acknowledgedRequests = new AtomicInteger();
    private final Counter accepted;
    private final Counter unavailable;
    private final Timer answered;

    IngestService(
            EventPublisher publisher,
            InFlightBudget budget,
            AnsweredCounts answeredCounts,
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
        this.answeredCounts = answeredCounts;
        this.config = config.ingest();
        this.haltAfterAck = this.config.fault().haltAfterAck();
        this.json = new StrictJson(this.config.maxNestingDepth());
        this.decoder = new EventDecoder(json, this.config.maxEventsPerRequest());
    }

    /**
     * @param headers request headers, names in lower case
     */
    public CompletionStage<IngestResult> ingest(
            String tenant, String contentType, Map<String, String> headers, byte[] body) {
        if (!budget.tryAcquire(body.length)) {
            throw unavailable("Sluice holds as many events in flight as it may; retry shortly.");
        }
        Prepared prepared;
        PendingAnswer pending;
        Instant acceptedAt = Instant.now();
        Timer.Sample sending = Timer.start();
        try {
            prepared = prepare(contentType, headers, body);
            pending = new PendingAnswer(
                    prepared.events(),
                    config.ackTimeout(),
                    vertx.getOrCreateContext(),
                    () -> budget.release(body.length));
            publisher.publish(tenant, acceptedAt, prepared.events(), pending);
        } catch (RuntimeException e) {
            budget.release(body.length);
            throw e;
        }
        // A plain completion stage, not a Uni: Mutiny would capture and restore every thread
        // context (CDI, transactions) around each step, for a step that needs none of them.
        return pending.answer().thenApply(sent -> {
            sending.stop(answered);
            IngestResult result = IngestResult.of(prepared.withRefused(sent));
            if (haltAfterAck > 0 && result.allAccepted() && acknowledgedRequests.incrementAndGet() == haltAfterAck) {
                System.err.println("fault injection: halting after Kafka's acknowledgement, before the answer");
                Runtime.getRuntime().halt(HALT_STATUS);
            }
            accepted.increment(result.accepted());
            unavailable.increment(sent.size() - result.accepted());
            // "Answered" in reconciliation; what Kafka acknowledged is counted from the topic.
            answeredCounts.answered(tenant, acceptedAt, result.accepted());
            return result;
        });
    }

    /**
     * The events to send and, for a line-delimited body, the outcomes of the lines refused
     * before sending. Other bodies are all or nothing: one bad event refuses the request.
     */
    private record Prepared(List<PreparedEvent> events, List<EventOutcome> refused, boolean lines) {

        /** Every outcome in request order: the refused lines' and Kafka's for the events sent. */
        List<EventOutcome> withRefused(List<EventOutcome> sent) {
            if (!lines) {
                return sent;
            }
            List<EventOutcome> all = new ArrayList<>(sent.size() + refused.size());
            for (EventOutcome outcome : sent) {
                all.add(outcome.withLine(outcome.index() + 1));
            }
            all.addAll(refused);
            all.sort(Comparator.comparingInt(EventOutcome::index));
            return all;
        }
    }

    private Prepared prepare(String contentType, Map<String, String> headers, byte[] body) {
        List<EventDecoder.Decoded> events = decoder.decode(contentType, headers, body);
        if (events.size() > config.maxEventsPerRequest()) {
            throw EventDecoder.tooManyEvents(config.maxEventsPerRequest());
        }
        if (events.get(0).line() > 0) {
            return prepareLines(events);
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
        return new Prepared(prepared, List.of(), false);
    }

    /**
     * A line-delimited body: each line stands alone, as shippers expect. A bad line is refused
     * with why, by its number, and the good lines are sent: one bad line among thousands does
     * not send the shipper into retrying the rest forever.
     */
    private Prepared prepareLines(List<EventDecoder.Decoded> lines) {
        List<PreparedEvent> prepared = new ArrayList<>(lines.size());
        List<EventOutcome> refused = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            EventDecoder.Decoded line = lines.get(i);
            if (line.refusal() != null) {
                refused.add(EventOutcome.refused(
                        i,
                        line.line(),
                        null,
                        null,
                        line.refusal().status(),
                        "Line " + line.line() + ": " + line.refusal().detail()));
                continue;
            }
            List<Violation> violations = CloudEventRules.check(i, line.event());
            if (violations.isEmpty()) {
                prepared.add(PreparedEvent.of(i, line.event(), line.json()));
            } else {
                refused.add(EventOutcome.refused(
                        i,
                        line.line(),
                        text(line.event(), "source"),
                        text(line.event(), "id"),
                        ProblemType.INVALID_EVENT.status(),
                        "Line " + line.line() + ": " + describe(violations)));
            }
        }
        if (prepared.isEmpty()) {
            boolean allInvalidEvents =
                    refused.stream().allMatch(outcome -> outcome.status() == ProblemType.INVALID_EVENT.status());
            throw new ProblemException(Problem.of(
                            allInvalidEvents ? ProblemType.INVALID_EVENT : ProblemType.INVALID_REQUEST,
                            "No line holds a valid event; nothing was accepted.")
                    .with("results", refused.subList(0, Math.min(refused.size(), MAX_REPORTED_VIOLATIONS))));
        }
        return new Prepared(prepared, refused, true);
    }

    private static String describe(List<Violation> violations) {
        StringBuilder detail = new StringBuilder("not a valid CloudEvent: ");
        for (int i = 0; i < violations.size(); i++) {
            Violation violation = violations.get(i);
            detail.append(i == 0 ? "" : "; ");
            if (!violation.pointer().isEmpty()) {
                detail.append(violation.pointer()).append(": ");
            }
            detail.append(violation.detail());
        }
        return detail.append('.').toString();
    }

    private static String text(JsonNode event, String attribute) {
        JsonNode value = event.get(attribute);
        return value != null && value.isTextual() ? value.textValue() : null;
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
