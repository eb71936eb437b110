package io.sluice.proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis server of the proof suite's own, on a free port and without persistence, so that it
 * can be killed and started again empty without touching the Redis other tests use. The
 * binary is the machine's {@code redis-server}, or the one the local stack installed.
 */
final class ProofRedis implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final Path log;
    private Process process;

    private ProofRedis(Path binary, int port, Path log) {
        this.binary = binary;
        this.port = port;
        this.log = log;
    }

    static ProofRedis start(Path project) throws IOException, InterruptedException {
        ProofRedis redis = new ProofRedis(binary(project), freePort(), project.resolve("target/proof-redis.log"));
        redis.start();
        return redis;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server on its port, empty, and waits until it accepts connections. */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of(
                        binary.toString(),
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--save",
                        "",
                        "--appendonly",
                        "no"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not start on port " + port + "; see " + log);
            }
            Thread.sleep(100);
        }
    }

    /** SIGKILL: whatever it held is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private boolean answers() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Path binary(Path project) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path installed = project.resolve("target/stack/redis");
        if (Files.isDirectory(installed)) {
            try (Stream<Path> found = Files.find(
                    installed,
                    2,
                    (path, attributes) -> path.getFileName().toString().equals("redis-server"))) {
                var binary = found.filter(Files::isExecutable).findFirst();
                if (binary.isPresent()) {
                    return binary.get();
                }
            }
        }
        throw new IllegalStateException(
                "no redis-server on the PATH or in target/stack/redis (scripts/stack up installs one when none runs)");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
