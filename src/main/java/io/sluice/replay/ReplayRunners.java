package io.sluice.replay;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads replays run on: two, each a consumer of its own reading as fast as the sink
 * stores; more replays wait their turn (how many is bounded by {@link ReplayService}). A bean
 * of its own so a test can hold replays waiting.
 */
@ApplicationScoped
class ReplayRunners {

    private final ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "sluice-replay");
        thread.setDaemon(true);
        return thread;
    });

    void run(Runnable replay) {
        threads.execute(replay);
    }

    void stop(@Observes ShutdownEvent stopping) {
        threads.shutdown();
    }
}
