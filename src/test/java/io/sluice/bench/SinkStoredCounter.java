package io.sluice.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The rows Sluice says it stored ({@code sluice_sink_stored_total} from {@code /q/metrics}):
 * the sink benchmark's cheap progress probe. Empty when Sluice is not known or did not answer;
 * the caller then counts the table.
 */
final class SinkStoredCounter {

    private static final String METRIC = "sluice_sink_stored_total ";

    private final URI metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SinkStoredCounter(URI metrics) {
        this.metrics = metrics;
    }

    static SinkStoredCounter of(String sluice) {
        return new SinkStoredCounter(sluice == null ? null : URI.create(sluice).resolve("/q/metrics"));
    }

    OptionalLong read() throws InterruptedException {
        if (metrics == null) {
            return OptionalLong.empty();
        }
        try {
            HttpResponse<Stream<String>> answer = http.send(
                    HttpRequest.newBuilder(metrics)
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (answer.statusCode() != 200) {
                return OptionalLong.empty();
            }
            try (Stream<String> lines = answer.body()) {
                return lines.filter(line -> line.startsWith(METRIC))
                        .mapToLong(line -> (long) Double.parseDouble(line.substring(METRIC.length())))
                        .findFirst();
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }
}
