package io.sluice.sink;

import java.util.Locale;

/**
 * The points of the dedup protocol where a crash is most likely to lose or duplicate an event:
 * the sink tells this seam when it passes one. In production nothing listens ({@link #NONE});
 * the crash tests switch on a {@link FaultInjector} that halts the process there.
 */
@FunctionalInterface
interface ProtocolSteps {

    ProtocolSteps NONE = step -> {};

    enum Step {
        AFTER_CLAIM,
        AFTER_DB_COMMIT,
        AFTER_OFFSET_COMMIT;

        /** {@code after-claim} and so on; {@code none} is null. */
        static Step parse(String name) {
            return name.equals("none")
                    ? null
                    : valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    void reached(Step step);
}
