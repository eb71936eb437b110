package io.sluice.sink;

import io.quarkus.arc.Arc;
import io.sluice.config.SluiceConfig;
import io.sluice.sink.ProtocolSteps.Step;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only crash points in the sink, switched on by {@code sluice.sink.fault.halt-at}: the
 * process halts at the chosen step, without shutdown hooks, exactly as SIGKILL would end it
 * there. The crash tests restart the application and count rows afterwards. Unless switched
 * on, the sink's {@link ProtocolSteps} are {@link ProtocolSteps#NONE}.
 */
public final class FaultInjector implements ProtocolSteps {

    /** Exit status of a halt, the one a SIGKILLed process reports (128 + 9). */
    public static final int HALT_STATUS = 137;

    private final Step haltAt;
    private final int occurrence;
    private final AtomicInteger reached = new AtomicInteger();

    private FaultInjector(Step haltAt, int occurrence) {
        this.haltAt = haltAt;
        this.occurrence = occurrence;
    }

    @Override
    public void reached(Step step) {
        if (step == haltAt && reached.incrementAndGet() == occurrence) {
            System.err.println("fault injection: halting at " + step);
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    /** For code Kafka instantiates itself (interceptors), outside CDI. */
    static ProtocolSteps current() {
        return Arc.container().instance(ProtocolSteps.class).get();
    }

    /** The sink's steps: halting where the configuration says, else {@link ProtocolSteps#NONE}. */
    @Singleton
    static final class Switch {

        @Produces
        @Singleton
        ProtocolSteps steps(SluiceConfig config) {
            Step haltAt = Step.parse(config.sink().fault().haltAt());
            return haltAt == null
                    ? ProtocolSteps.NONE
                    : new FaultInjector(haltAt, config.sink().fault().haltOnOccurrence());
        }
    }
}
