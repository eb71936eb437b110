package io.sluice.ingest;

import io.quarkus.runtime.configuration.MemorySize;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemType;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses, before any body is read, what can be refused from the headers alone: a declared
 * body over the limit (413), too many header fields (431), and a body in a coding the endpoint
 * does not decode (415: only ingest decodes gzip and deflate), with the same problem+json as
 * every other error. Vert.x enforces the limits too (the body size while reading a chunked
 * body, the total header size), but answers those with a bare status.
 */
@ApplicationScoped
public class RequestLimits {

    /** Before authentication and every other handler. */
    private static final int ORDER = -200;

    private final long maxBodyBytes;
    private final int maxHeaderCount;

    RequestLimits(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, SluiceConfig config) {
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.maxHeaderCount = config.ingest().maxHeaderCount();
    }

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext context) {
        if (context.request().headers().size() > maxHeaderCount) {
            refuse(
                    context,
                    Problem.of(
                            ProblemType.HEADERS_TOO_LARGE,
                            "A request carries at most " + maxHeaderCount + " header fields."));
            return;
        }
        String encoding = context.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        if (!ContentEncoding.accepted(encoding, context.normalizedPath())) {
            refuse(
                    context,
                    ContentEncoding.unsupported(encoding, context.normalizedPath())
                            .problem());
            return;
        }
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length)) {
            refuse(
                    context,
                    Problem.of(
                            ProblemType.PAYLOAD_TOO_LARGE, "A request body holds at most " + maxBodyBytes + " bytes."));
            return;
        }
        context.next();
    }

    private boolean exceeds(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // Vert.x rejects a malformed Content-Length itself
        }
    }

    private static void refuse(RoutingContext context, Problem problem) {
        // The body is not read: close the connection rather than drain what the client still sends.
        context.response()
                .setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Json.encode(problem.at(context.request().path())));
    }
}
