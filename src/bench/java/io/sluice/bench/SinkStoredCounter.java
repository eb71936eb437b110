package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.OptionalLong;

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

    /** {@code management}: the management interface of the Sluice under test, where its metrics are; or null. */
    static SinkStoredCounter of(String management) {
        return new SinkStoredCounter(
                management == null ? null : URI.create(management).resolve("/q/metrics"));
    }

    OptionalLong read() {
        String text = metrics == null ? null : MemorySampler.metricsText(http, metrics);
        if (text == null) {
            return OptionalLong.empty();
        }
        return text.lines()
                .filter(line -> line.startsWith(METRIC))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(METRIC.length())))
                .findFirst();
    }
}
