package io.sluice.sink;

import io.quarkus.arc.Arc;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only crash points in the sink (off unless {@code sluice.sink.fault.halt-at} is set):
 * the process halts at the chosen step, without shutdown hooks, exactly as SIGKILL would end
 * it there. The crash tests restart the application and count rows afterwards.
 */
@ApplicationScoped
public class FaultInjector {

    /** Exit status of a halt, the one a SIGKILLed process reports (128 + 9). */
    public static final int HALT_STATUS = 137;

    /** The steps of the dedup protocol where a crash is most likely to lose or duplicate. */
    public enum Step {
        AFTER_CLAIM,
        AFTER_DB_COMMIT,
        AFTER_OFFSET_COMMIT;

        static Step parse(String name) {
            return name.equals("none")
                    ? null
                    : valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private final Step haltAt;
    private final int occurrence;
    private final AtomicInteger reached = new AtomicInteger();

    FaultInjector(SluiceConfig config) {
        this.haltAt = Step.parse(config.sink().fault().haltAt());
        this.occurrence = config.sink().fault().haltOnOccurrence();
    }

    /** For code Kafka instantiates itself (interceptors), outside CDI. */
    static FaultInjector current() {
        return Arc.container().instance(FaultInjector.class).get();
    }

    void reached(Step step) {
        if (step == haltAt && reached.incrementAndGet() == occurrence) {
            System.err.println("fault injection: halting at " + step);
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
