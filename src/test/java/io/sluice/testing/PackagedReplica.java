package io.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Sluice ({@code target/quarkus-app}) as its own process on the shared stack,
 * as a replica runs in production: for the integration tests that need several of them.
 * Its output goes to {@code target/<name>.log}.
 */
public final class PackagedReplica implements AutoCloseable {

    private static final Path PROJECT =
            Path.of(System.getProperty("stack.project-dir", "")).toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final URI uri;
    private final URI management;

    private PackagedReplica(Process process, URI uri, URI management) {
        this.process = process;
        this.uri = uri;
        this.management = management;
    }

    /** Starts a replica with the shared stack's settings and {@code settings} ({@code -Dkey=value} each). */
    public static PackagedReplica start(String name, List<String> settings) throws IOException {
        int port = freePort();
        // Health and metrics are on the management interface: a port of each replica's own too.
        int managementPort = freePort();
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
        LocalStackResource.sharedConfig().forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.management.port=" + managementPort);
        command.add("-Dquarkus.log.console.json.enabled=false");
        command.addAll(settings);
        command.addAll(List.of(
                "-jar", PROJECT.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        PROJECT.resolve("target/" + name + ".log").toFile()))
                .start();
        return new PackagedReplica(
                process, URI.create("http://127.0.0.1:" + port), URI.create("http://127.0.0.1:" + managementPort));
    }

    /** The API's origin. */
    public URI uri() {
        return uri;
    }

    /** The management interface's origin: health and metrics. */
    public URI management() {
        return management;
    }

    /** Waits until readiness answers UP. */
    public PackagedReplica awaitReady(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> ready = HTTP.send(
                        HttpRequest.newBuilder(management.resolve("/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive()) {
                throw new AssertionError(uri + " exited with status " + process.exitValue());
            }
            Thread.sleep(250);
        }
        throw new AssertionError(uri + " did not become ready");
    }

    /** Waits for the replica to end by itself; its exit status. */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(uri + " did not exit within " + atMost);
        }
        return process.exitValue();
    }

    /** Ends the replica at once, as SIGKILL would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
