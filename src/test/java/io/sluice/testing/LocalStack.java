package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The project's local stack ({@code scripts/stack}) as seen from tests: the same script a
 * developer runs, so tests and people exercise one set of start-up code. Kafka brokers are
 * separate processes; {@link #kill(int)} is a real SIGKILL.
 */
public final class LocalStack {

    private static final Path PROJECT_DIR =
            Path.of(System.getProperty("stack.project-dir", "")).toAbsolutePath();

    private final int nodes;
    private final List<String> options;

    private LocalStack(int nodes, List<String> options) {
        this.nodes = nodes;
        this.options = options;
    }

    private static final Map<Integer, LocalStack> SHARED = new ConcurrentHashMap<>();

    /** The default cluster of {@code nodes} brokers (1: port 9092, 3: ports 19092-19096). */
    public static LocalStack of(int nodes) {
        return new LocalStack(nodes, List.of("--nodes", Integer.toString(nodes)));
    }

    /**
     * The default cluster of {@code nodes} brokers, up: a cluster already running is used as it
     * is; one this JVM starts is stopped when the JVM exits. Test classes share it.
     */
    public static LocalStack shared(int nodes) {
        return SHARED.computeIfAbsent(nodes, n -> {
            LocalStack stack = of(n);
            boolean alreadyRunning = stack.answers();
            stack.up();
            if (!alreadyRunning) {
                Runtime.getRuntime().addShutdownHook(new Thread(stack::down, "local-stack-down-" + n));
            }
            return stack;
        });
    }

    /**
     * A private single-node cluster on free ports, for tests that must stop "the" broker
     * without disturbing others.
     */
    public static LocalStack isolated(String name) {
        Path dir = PROJECT_DIR.resolve("target").resolve("stack-" + name);
        int port = freePortPair();
        return new LocalStack(1, List.of("--nodes", "1", "--dir", dir.toString(), "--port", Integer.toString(port)));
    }

    /** A port whose successor is free too: the broker listens on the first, its controller on the second. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no two adjacent free ports on the loopback interface");
    }

    public int nodes() {
        return nodes;
    }

    /** Starts whatever is not running (idempotent) and waits until the cluster answers. */
    public void up() {
        run("up");
    }

    public void down() {
        run("down");
    }

    /** SIGKILL: the broker gets no chance to shut down cleanly. */
    public void kill(int nodeId) {
        run("kill", Integer.toString(nodeId));
    }

    /** SIGTERM: a clean shutdown (leadership handed over first); returns once the broker exited. */
    public void stop(int nodeId) {
        run("stop", Integer.toString(nodeId));
    }

    /** SIGSTOP: the broker keeps its connections open and answers nothing, like a hung machine. */
    public void pause(int nodeId) {
        run("pause", Integer.toString(nodeId));
    }

    public void resume(int nodeId) {
        run("resume", Integer.toString(nodeId));
    }

    /** Starts one broker again and waits until it serves. */
    public void start(int nodeId) {
        run("start", Integer.toString(nodeId));
    }

    /**
     * Stops PostgreSQL with a fast shutdown (clients are disconnected, nothing committed is
     * lost): the stack's own, or the machine's own Debian cluster. Every test using PostgreSQL
     * sees it gone until {@link #startPostgres()}.
     */
    public void stopPostgres() {
        run("stop-postgres");
    }

    /**
     * Stops PostgreSQL as a crash would: an immediate shutdown, no checkpoint, so the next start
     * recovers from the write-ahead log. Like {@link #stopPostgres()}, every test sees it gone.
     */
    public void killPostgres() {
        run("kill-postgres");
    }

    public void startPostgres() {
        run("start-postgres");
    }

    public String bootstrapServers() {
        return run("bootstrap").strip();
    }

    /** Whether the first broker of this cluster accepts connections right now. */
    public boolean answers() {
        String first = bootstrapServers().split(",")[0];
        int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String run(String... command) {
        List<String> line = new ArrayList<>(
                List.of("bash", PROJECT_DIR.resolve("scripts/stack").toString()));
        line.addAll(options);
        line.addAll(List.of(command));
        try {
            Path output = Files.createTempFile("stack-", ".log");
            try {
                Process process = new ProcessBuilder(line)
                        .directory(PROJECT_DIR.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(3, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("scripts/stack " + String.join(" ", command) + " timed out");
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("scripts/stack " + String.join(" ", command) + " failed:\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
