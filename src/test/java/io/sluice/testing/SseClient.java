package io.sluice.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** A plain SSE client over the JDK's HTTP client: what a browser's EventSource would see. */
public final class SseClient implements AutoCloseable {

    /** One dispatched event; comments are counted, not kept. */
    public record Event(String id, String name, String data) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile int comments;
    private volatile String retry;
    private volatile boolean ended;
    private volatile java.io.InputStream body;

    /** Streams with the default test key of the application under test (see {@link TestCredentials}). */
    public SseClient(URI uri, String lastEventId) throws Exception {
        this(uri, lastEventId, TestCredentials.defaultKey(uri));
    }

    /** Streams with {@code credential} as the bearer token, or without credentials when it is null. */
    public SseClient(URI uri, String lastEventId, String credential) throws Exception {
        this(uri, lastEventId, credential, false);
    }

    /**
     * @param gzip ask for a gzip'd stream ({@code Accept-Encoding: gzip}) and insist on getting
     *     one, as a browser would ask: each event must still arrive when it is sent
     */
    public SseClient(URI uri, String lastEventId, String credential, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Accept", "text/event-stream")
                .GET();
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> response =
                HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("stream answered " + response.statusCode());
        }
        if (gzip) {
            String encoding = response.headers().firstValue("Content-Encoding").orElse("none");
            if (!encoding.equals("gzip")) {
                throw new IllegalStateException("asked for gzip, the stream came with Content-Encoding " + encoding);
            }
            body = new GZIPInputStream(response.body(), 64) {
                /**
                 * An inflating stream says a byte is available until its end, so a Reader over it
                 * would wait to fill its buffer instead of handing over the lines it has.
                 */
                @Override
                public int available() {
                    return 0;
                }
            };
        } else {
            body = response.body();
        }
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, name == null ? "message" : name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    comments++;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("retry:")) {
                    retry = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    String chunk = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                    data = data == null
                            ? new StringBuilder(chunk)
                            : data.append('\n').append(chunk);
                }
            }
        } catch (Exception e) {
            // closed by the test or by the server
        } finally {
            ended = true;
        }
    }

    /** The next {@code count} events, waiting up to {@code atMost} in all. */
    public List<Event> take(int count, Duration atMost) throws InterruptedException {
        List<Event> taken = new ArrayList<>(count);
        long deadline = System.nanoTime() + atMost.toNanos();
        while (taken.size() < count) {
            Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                break;
            }
            taken.add(event);
        }
        return taken;
    }

    /** Whatever arrives within {@code quiet}. */
    public List<Event> drain(Duration quiet) throws InterruptedException {
        List<Event> taken = new ArrayList<>();
        Event event;
        while ((event = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            taken.add(event);
        }
        return taken;
    }

    public int comments() {
        return comments;
    }

    public String retry() {
        return retry;
    }

    public boolean ended() {
        return ended;
    }

    @Override
    public void close() throws Exception {
        body.close();
        reader.join(5_000);
    }
}
