package io.sluice.dlq;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.audit.AuditLog;
import io.sluice.dlq.DeadLetterStore.Filter;
import io.sluice.ingest.EventPublisher;
import io.sluice.record.DeadLetterHeaders;
import io.sluice.record.HeadersJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Sends dead letters back through the normal path: each record, as it came (key, value, the
 * tenant and acceptance headers), goes to the events topic again and the sink takes it from
 * there — stored if its cause is fixed, dead-lettered again (a new entry) if not. Dedup makes
 * a redrive repeated, or of an event stored meanwhile, harmless.
 *
 * <p>Entries are locked ({@code FOR UPDATE SKIP LOCKED}) page by page while their records are
 * published, and marked redriven, with where they went, only after Kafka acknowledged them.
 */
@ApplicationScoped
public class Redrive {

    private static final Logger LOG = Logger.getLogger(Redrive.class);
    private static final int PAGE = 500;

    private final Pool pool;
    private final DeadLetterStore store;
    private final EventPublisher publisher;
    private final AuditLog audit;

    Redrive(Pool pool, DeadLetterStore store, EventPublisher publisher, AuditLog audit) {
        this.pool = pool;
        this.store = store;
        this.publisher = publisher;
        this.audit = audit;
    }

    /** What one redrive did. */
    public record Outcome(int redriven, List<Long> failed, boolean more) {}

    /** Redrives the tenant's dead entries matching {@code filter}, at most {@code max} of them. */
    public Uni<Outcome> redrive(String tenant, Filter filter, int max, String actor) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("source", filter.source()).put("reason", filter.reason()).put("max", max);
        if (filter.ids() != null) {
            filter.ids().forEach(detail.putArray("ids")::add);
        }
        return audit.append(new AuditLog.Entry(tenant, actor, "dlq.redriven", "dlq", detail))
                .chain(() -> pages(tenant, filter, 0, max, new Outcome(0, List.of(), false)));
    }

    private Uni<Outcome> pages(String tenant, Filter filter, long afterId, int left, Outcome sofar) {
        if (left <= 0) {
            return Uni.createFrom().item(new Outcome(sofar.redriven(), sofar.failed(), true));
        }
        int limit = Math.min(PAGE, left);
        return pool.withTransaction(connection -> store.lockPage(connection, tenant, filter, afterId, limit)
                        .chain(page -> publish(page)
                                .call(sent -> store.markRedriven(connection, sent.ids, sent.to))
                                .map(sent -> new Page(page, sent))))
                .chain(page -> {
                    List<Long> failed = new ArrayList<>(sofar.failed());
                    failed.addAll(page.sent.failed);
                    Outcome outcome = new Outcome(sofar.redriven() + page.sent.ids.size(), failed, false);
                    // A failure ends the redrive: Kafka is unlikely to take the next page either.
                    if (page.entries.size() < limit || !page.sent.failed.isEmpty()) {
                        return Uni.createFrom().item(outcome);
                    }
                    long last = page.entries.get(page.entries.size() - 1).id();
                    return pages(tenant, filter, last, left - page.entries.size(), outcome);
                });
    }

    private record Page(List<DeadLetter> entries, Sent sent) {}

    /** Which entries Kafka took, and where it put each. */
    private static final class Sent {
        final List<Long> ids = new ArrayList<>();
        final List<String> to = new ArrayList<>();
        final List<Long> failed = new ArrayList<>();
    }

    private Uni<Sent> publish(List<DeadLetter> page) {
        Sent sent = new Sent();
        List<Uni<Void>> sends = new ArrayList<>(page.size());
        for (DeadLetter entry : page) {
            sends.add(publisher
                    .republish(entry.keyText(), entry.value(), headers(entry))
                    .onItem()
                    .invoke(written -> {
                        synchronized (sent) {
                            sent.ids.add(entry.id());
                            sent.to.add(written.topic() + "/" + written.partition() + "/" + written.offset());
                        }
                    })
                    .onFailure()
                    .recoverWithItem(failure -> {
                        LOG.warnf("dead letter %d could not be redriven: %s", entry.id(), failure.getMessage());
                        synchronized (sent) {
                            sent.failed.add(entry.id());
                        }
                        return null;
                    })
                    .replaceWithVoid());
        }
        if (sends.isEmpty()) {
            return Uni.createFrom().item(sent);
        }
        return Uni.join().all(sends).andCollectFailures().replaceWith(sent);
    }

    /** The record's own headers, without the dead-letter ones, and which entry it is a redrive of. */
    private static RecordHeaders headers(DeadLetter entry) {
        return DeadLetterHeaders.forRedrive(HeadersJson.fromJson(entry.headers()), entry.id());
    }
}
