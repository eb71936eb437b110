package io.sluice.kafka;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import net.jpountz.lz4.LZ4Factory;
import org.jboss.logging.Logger;

/**
 * Gives Kafka's lz4 (the events topic's compression) lz4-java's JNI implementation. Kafka asks
 * lz4-java for its fastest implementation, and lz4-java answers with the JNI one only if its
 * library is loaded already or lz4-java was loaded by the system class loader: under Quarkus's
 * class loader it answers with its pure-Java "safe" one, which took 15 % of the ingest CPU at
 * batch load (docs/benchmarks.md). Loading the library first, before any channel starts,
 * makes the JNI one the fastest for every producer and consumer. Where the library cannot be
 * loaded (a platform lz4-java has no build for), Kafka keeps the Java one.
 */
@ApplicationScoped
class Lz4Native {

    private static final Logger LOG = Logger.getLogger(Lz4Native.class);

    /** Before the messaging channels start (they start at LIBRARY_BEFORE). */
    void load(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            return; // a native image links what it needs at build time
        }
        try {
            LOG.debugf("lz4: %s", LZ4Factory.nativeInstance());
        } catch (LinkageError | RuntimeException e) {
            LOG.infof("lz4: the JNI implementation cannot be loaded here (%s); Kafka uses the Java one", e);
        }
    }
}
