package io.sluice.alerts;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.alerts.AlertBatch.Firing;
import io.sluice.config.SluiceConfig;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleKind;
import io.sluice.rules.RuleStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the tenants' rules over events the sink has just stored, inside the sink's transaction:
 * the alerts they raise commit or roll back with the events. Only newly stored events come
 * here, so a redelivered or replayed event never counts twice; stable alert ids and the
 * {@code alerts_identity} constraint guard the rest.
 *
 * <p>A batch costs a fixed number of statements, not a number per event: rules and firing
 * state are read once, rate windows are counted in one statement, the decisions are made in
 * memory in event order, and {@link AlertBatch} writes them together.
 *
 * <p>The cost grows with the (event, rule) pairs that can match, never with a tenant's other
 * rules: only rules of the batch's (tenant, type) pairs, and the tenants' rules for every type,
 * are read ({@link RuleStore#forTypes}), and each event looks up its own in a map. The pairs are
 * bounded too: past {@code sluice.alerts.max-matches-per-pass} the batch is evaluated in
 * consecutive passes of events, in order, within the same transaction, so however many rules a
 * tenant holds, no statement and no array in memory grows past that bound; a pass sees what the
 * passes before it wrote, as a later batch would.
 */
@ApplicationScoped
public class AlertEvaluator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxMatchesPerPass;

    @Inject
    AlertEvaluator(SluiceConfig config) {
        this(config.alerts().maxMatchesPerPass());
    }

    AlertEvaluator(int maxMatchesPerPass) {
        this.maxMatchesPerPass = maxMatchesPerPass;
    }

    /**
     * The rules that can match events of the pairs ({@code tenants[i]}, {@code types[i]}), read
     * in the transaction. A separate step so the sink can send this query together with its
     * INSERT (the pairs are known before the rows are stored) instead of waiting a round trip
     * for it after.
     */
    public Uni<List<Rule>> rulesFor(SqlClient transaction, String[] tenants, String[] types) {
        return RuleStore.forTypes(transaction, tenants, types);
    }

    /**
     * Evaluates {@code events} in order against {@code rules} (from {@link #rulesFor}, for at
     * least the events' tenants and types); the answer is how many alert transitions were
     * written.
     */
    public Uni<Integer> evaluate(SqlClient transaction, List<StoredEvent> events, List<Rule> rules) {
        return passes(transaction, new RuleIndex(rules), events, 0, 0);
    }

    /** Evaluates the events from {@code from} on, a pass at a time; {@code written} so far. */
    private Uni<Integer> passes(SqlClient tx, RuleIndex index, List<StoredEvent> events, int from, int written) {
        List<RuleMatch> matches = new ArrayList<>();
        int next = from;
        while (next < events.size() && (matches.isEmpty() || matches.size() < maxMatchesPerPass)) {
            StoredEvent event = events.get(next++);
            index.forEachMatch(event, rule -> matches.add(new RuleMatch(event, rule)));
        }
        if (matches.isEmpty()) {
            return Uni.createFrom().item(written);
        }
        int end = next;
        return Firing.load(tx, matches)
                .chain(firing -> new Pass(new AlertBatch(firing), matches).run(tx))
                .chain(count -> end < events.size()
                        ? passes(tx, index, events, end, written + count)
                        : Uni.createFrom().item(written + count));
    }

    /** An event and a rule of its tenant that looks at its type. */
    record RuleMatch(StoredEvent event, Rule rule) {}

    /** Rules by tenant and type, and each tenant's rules for every type: an event finds its own in two lookups. */
    static final class RuleIndex {
        private final Map<String, Map<String, List<Rule>>> byTenantAndType = new HashMap<>();
        private final Map<String, List<Rule>> everyType = new HashMap<>();

        RuleIndex(List<Rule> rules) {
            for (Rule rule : rules) {
                if (rule.eventType() == null) {
                    everyType
                            .computeIfAbsent(rule.tenant(), t -> new ArrayList<>())
                            .add(rule);
                } else {
                    byTenantAndType
                            .computeIfAbsent(rule.tenant(), t -> new HashMap<>())
                            .computeIfAbsent(rule.eventType(), t -> new ArrayList<>())
                            .add(rule);
                }
            }
        }

        void forEachMatch(StoredEvent event, Consumer<Rule> match) {
            Map<String, List<Rule>> byType = byTenantAndType.get(event.tenant());
            if (byType != null) {
                byType.getOrDefault(event.type(), List.of()).forEach(match);
            }
            everyType.getOrDefault(event.tenant(), List.of()).forEach(match);
        }
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
