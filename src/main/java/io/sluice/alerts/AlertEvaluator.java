package io.sluice.alerts;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.alerts.AlertBatch.Firing;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleKind;
import io.sluice.rules.RuleStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the tenants' rules over events the sink has just stored, inside the sink's transaction:
 * the alerts they raise commit or roll back with the events. Only newly stored events come
 * here, so a redelivered or replayed event never counts twice; stable alert ids and the
 * {@code alerts_identity} constraint guard the rest.
 *
 * <p>A batch costs a fixed number of statements, not a number per event: rules and firing
 * state are read once, rate windows are counted in one statement, the decisions are made in
 * memory in event order, and {@link AlertBatch} writes them together.
 */
@ApplicationScoped
public class AlertEvaluator {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The rules of {@code tenants}, read in the transaction. A separate step so the sink can send
     * this query together with its INSERT (the tenants are known before the rows are stored)
     * instead of waiting a round trip for it after.
     */
    public Uni<List<Rule>> rulesFor(SqlClient transaction, String[] tenants) {
        return RuleStore.forTenants(transaction, tenants);
    }

    /**
     * Evaluates {@code events} in order against {@code rules} (from {@link #rulesFor}, for at
     * least the events' tenants); the answer is how many alert transitions were written.
     */
    public Uni<Integer> evaluate(SqlClient transaction, List<StoredEvent> events, List<Rule> rules) {
        List<RuleMatch> matches = matches(events, rules);
        if (matches.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Firing.load(transaction, matches)
                .chain(firing -> new Pass(new AlertBatch(firing), matches).run(transaction));
    }

    /** An event and a rule of its tenant that looks at its type. */
    record RuleMatch(StoredEvent event, Rule rule) {}

    /** Every (event, rule) pair to evaluate, in event order. */
    private static List<RuleMatch> matches(List<StoredEvent> events, List<Rule> rules) {
        Map<String, List<Rule>> byTenant = new HashMap<>();
        rules.forEach(rule ->
                byTenant.computeIfAbsent(rule.tenant(), t -> new ArrayList<>()).add(rule));
        List<RuleMatch> matches = new ArrayList<>();
        for (StoredEvent event : events) {
            for (Rule rule : byTenant.getOrDefault(event.tenant(), List.of())) {
                if (rule.matchesType(event.type())) {
                    matches.add(new RuleMatch(event, rule));
                }
            }
        }
        return matches;
    }

    /** One evaluation of one batch. */
    private static final class Pass {
        private final AlertBatch batch;
        private final List<RuleMatch> matches;
        private final Map<String, JsonPointer> pointers = new HashMap<>();
        private StoredEvent parsedEvent;
        private JsonNode parsedData;

        Pass(AlertBatch batch, List<RuleMatch> matches) {
            this.batch = batch;
            this.matches = matches;
        }

        Uni<Integer> run(SqlClient tx) {
            List<RuleMatch> rated = of(RuleKind.RATE);
            List<RuleMatch> heard = of(RuleKind.ABSENCE);
            return RateWindows.record(tx, rated)
                    .call(() -> Heartbeats.record(tx, heard))
                    .chain(windows -> {
                        decide(windows);
                        return batch.write(tx);
                    });
        }

        private List<RuleMatch> of(RuleKind kind) {
            return matches.stream().filter(m -> m.rule().kind() == kind).toList();
        }

        /** Applies every match in event order; {@code windows} are the rate matches' counts, in order. */
        private void decide(List<RateWindows.Window> windows) {
            int rate = 0;
            for (RuleMatch match : matches) {
                switch (match.rule().kind()) {
                    case THRESHOLD -> threshold(match.rule(), match.event());
                    case RATE -> rate(match.rule(), match.event(), windows.get(rate++));
                    case ABSENCE -> spoke(match.rule(), match.event());
                }
            }
        }

        private void threshold(Rule rule, StoredEvent event) {
            Rule.Threshold threshold = rule.threshold();
            JsonNode value = data(event).at(pointers.computeIfAbsent(threshold.pointer(), JsonPointer::compile));
            if (!value.isNumber()) {
                return; // an event without the number says nothing either way
            }
            double actual = value.asDouble();
            if (threshold.breached(actual)) {
                ObjectNode details = JsonNodeFactory.instance
                        .objectNode()
                        .put("pointer", threshold.pointer())
                        .put("op", threshold.op())
                        .put("threshold", threshold.value())
                        .put("value", actual);
                details.putObject("event").put("source", event.source()).put("id", event.id());
                batch.fire(rule, event.tenant(), event.groupKey(), event.time(), details);
            } else {
                batch.resolve(
                        rule,
                        event.tenant(),
                        event.groupKey(),
                        JsonNodeFactory.instance.objectNode().put("value", actual));
            }
        }

        private void rate(Rule rule, StoredEvent event, RateWindows.Window window) {
            ObjectNode details = JsonNodeFactory.instance
                    .objectNode()
                    .put("count", window.count())
                    .put("limit", rule.rate().count())
                    .put("window", rule.rate().window().toString());
            if (window.count() > rule.rate().count()) {
                batch.fire(rule, event.tenant(), event.groupKey(), window.firstHit(), details);
            } else {
                batch.resolve(rule, event.tenant(), event.groupKey(), details);
            }
        }

        /** The subject spoke: its silence alert, if one fires, ends. */
        private void spoke(Rule rule, StoredEvent event) {
            batch.resolve(
                    rule,
                    event.tenant(),
                    event.groupKey(),
                    JsonNodeFactory.instance
                            .objectNode()
                            .put("spokeAt", event.acceptedAt().toString()));
        }

        /** The event's data, parsed once however many threshold rules look at it. */
        private JsonNode data(StoredEvent event) {
            if (event != parsedEvent) {
                parsedEvent = event;
                parsedData = parse(event.dataJson());
            }
            return parsedData;
        }
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return JsonNodeFactory.instance.missingNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JsonNodeFactory.instance.missingNode();
        }
    }
}
