package io.sluice.pitfalls;

import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.ingest.SizeLimitChain;
import io.sluice.kafka.KafkaAdmin;
import io.sluice.security.BootstrapKeySettings;
import io.sluice.security.JwtSettings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Checks, at start-up and on demand, every setting that silently decides whether Kafka loses
 * or duplicates data: the producers' acks, idempotence, retries and delivery timeout, the
 * sink's auto-commit and commit strategy, each topic's replication, {@code min.insync.replicas}
 * and unclean election, and the size-limit chain; and the credentials' settings (JWT
 * verification, the bootstrap key's strength). The last report is kept for readiness: in
 * strict mode ({@code sluice.pitfalls.strict}) any failure keeps the replica unready.
 */
@ApplicationScoped
public class PitfallGuard {

    private static final Logger LOG = Logger.getLogger(PitfallGuard.class);

    /** A report and when it was made. */
    public record Report(Instant at, List<Pitfall> pitfalls) {

        public boolean failed() {
            return pitfalls.stream().anyMatch(pitfall -> pitfall.status() == Pitfall.Status.FAIL);
        }
    }

    private final Config config;
    private final KafkaAdmin admin;
    private final SizeLimitChain sizeLimits;
    private final SluiceConfig sluice;
    private final AtomicReference<Report> last = new AtomicReference<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    PitfallGuard(Config config, KafkaAdmin admin, SizeLimitChain sizeLimits, SluiceConfig sluice) {
        this.config = config;
        this.admin = admin;
        this.sizeLimits = sizeLimits;
        this.sluice = sluice;
    }

    void checkAtStartup(@Observes StartupEvent startup) {
        check().subscribe().with(report -> {
            for (Pitfall pitfall : report.pitfalls()) {
                Logger.Level level = pitfall.status() == Pitfall.Status.PASS ? Logger.Level.DEBUG : Logger.Level.WARN;
                LOG.logf(
                        level,
                        "pitfall guard: %s %s = %s: %s",
                        pitfall.status(),
                        pitfall.check(),
                        pitfall.found(),
                        pitfall.why());
            }
            LOG.infof(
                    "pitfall guard: %d checks, %d warnings, %d failures%s",
                    report.pitfalls().size(),
                    count(report, Pitfall.Status.WARN),
                    count(report, Pitfall.Status.FAIL),
                    sluice.pitfalls().strict() && report.failed() ? " (strict: not ready)" : "");
        });
    }

    /** A fresh report. Topics that cannot be read (cluster away) are one failed check, not an error. */
    public Uni<Report> check() {
        List<String> topics = List.of(
                sluice.topics().events(),
                sluice.topics().deadLetter(),
                sluice.topics().alerts());
        Duration timeout = sluice.health().kafkaTimeout().multipliedBy(2);
        // The size-limit chain asks the cluster with a blocking call: off the event loop.
        Uni<Pitfall> sizeChain = Uni.createFrom()
                .item(sizeLimits::brokenLinks)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(broken -> broken.isEmpty()
                        ? Pitfall.pass(
                                "size-limit chain",
                                "holds",
                                "every event HTTP accepts can be written, stored and fetched")
                        : Pitfall.fail(
                                "size-limit chain",
                                String.join("; ", broken),
                                "an accepted event would never be consumed"));
        Uni<List<Pitfall>> topicChecks = TopicPitfalls.check(admin.client(), topics)
                .ifNoItem()
                .after(timeout)
                .fail()
                .onFailure()
                .recoverWithItem(failure -> List.of(Pitfall.fail(
                        "topics " + String.join(", ", topics),
                        "not readable: " + failure.getClass().getSimpleName(),
                        "the cluster did not describe the topics; their durability is unknown")));
        return Uni.combine().all().unis(sizeChain, topicChecks).with((chain, found) -> {
            List<Pitfall> pitfalls = new ArrayList<>(ClientPitfalls.check(config));
            pitfalls.add(jwt(JwtSettings.of(config)));
            pitfalls.add(bootstrapKey(BootstrapKeySettings.of(sluice.security().bootstrapAdminKey())));
            pitfalls.add(chain);
            pitfalls.addAll(found);
            Report report = new Report(Instant.now(), List.copyOf(pitfalls));
            last.set(report);
            return report;
        });
    }

    private static Pitfall jwt(JwtSettings.Verdict verdict) {
        if (!verdict.accepted()) {
            return Pitfall.pass("jwt verification", verdict.found(), "only API keys are accepted");
        }
        return verdict.problem() == null
                ? Pitfall.pass(
                        "jwt verification",
                        verdict.found(),
                        "a token is accepted only from this issuer and for this audience")
                : Pitfall.fail("jwt verification", verdict.found(), verdict.problem());
    }

    private static Pitfall bootstrapKey(BootstrapKeySettings.Verdict verdict) {
        if (verdict.problem() != null) {
            return Pitfall.fail("bootstrap admin key", verdict.found(), verdict.problem());
        }
        return Pitfall.pass(
                "bootstrap admin key",
                verdict.found(),
                verdict.set()
                        ? "admin for every tenant: long and random enough that guessing at the limit on refused"
                                + " credentials per address finds nothing"
                        : "no key from configuration: keys are made with an admin key or token only");
    }

    /**
     * The last report at once (a probe never waits for the cluster), re-made in the background
     * when older than {@code maxAge}; only the very first call waits for a report.
     */
    public Uni<Report> recent(Duration maxAge) {
        Report report = last.get();
        if (report == null) {
            return check();
        }
        if (report.at().isBefore(Instant.now().minus(maxAge)) && refreshing.compareAndSet(false, true)) {
            check().eventually(() -> refreshing.set(false)).subscribe().with(fresh -> {}, failure -> {});
        }
        return Uni.createFrom().item(report);
    }

    private static long count(Report report, Pitfall.Status status) {
        return report.pitfalls().stream().filter(p -> p.status() == status).count();
    }
}
