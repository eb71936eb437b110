package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A free port for the management interface of the application a {@code @QuarkusIntegrationTest}
 * launches. Quarkus hands such an application a test port for the API only: its management
 * interface would bind the fixed production port (two builds on one machine would collide), and
 * the test, reading a test port of 0, would not know where it is. Here the test JVM chooses the
 * port and tells both the application and {@link Http#management()}.
 */
public class ManagementPortResource implements QuarkusTestResourceLifecycleManager {

    /** Where {@link Http#managementUri()} finds the port chosen here. */
    static final String URL_PROPERTY = "sluice.test.management-url";

    @Override
    public Map<String, String> start() {
        int port = freePort();
        System.setProperty(URL_PROPERTY, "http://localhost:" + port + "/");
        return Map.of("quarkus.management.port", Integer.toString(port));
    }

    @Override
    public void stop() {
        System.clearProperty(URL_PROPERTY);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
