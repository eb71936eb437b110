package io.sluice.ingest;

import io.quarkus.runtime.configuration.MemorySize;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code POST /v1/events}: 202 only once Kafka acknowledged every event of the request,
 * 207 when some were and some were not, 503 with Retry-After when none was.
 */
@Path(IngestResource.PATH)
@RolesAllowed(Scopes.INGEST)
public class IngestResource {

    static final String PATH = "/v1/events";

    private static final int MULTI_STATUS = 207;

    private final IngestService ingest;
    private final Caller caller;
    private final Duration retryAfter;
    private final long maxBodyBytes;

    IngestResource(
            IngestService ingest,
            Caller caller,
            SluiceConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.ingest = ingest;
        this.caller = caller;
        this.retryAfter = config.ingest().retryAfter();
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest CloudEvents (structured, batch, binary, plain JSON or one per line)")
    @RequestBody(
            required = true,
            description = "Structured (one event), batch (a JSON array) or plain JSON (one event or an array), or"
                    + " line-delimited JSON (one event per line; a bad line is refused alone). Binary mode (the"
                    + " attributes in ce-* headers, the body is the data) takes any content type. Content-Encoding"
                    + " gzip and deflate are accepted.",
            content = {
                @Content(mediaType = "application/cloudevents+json"),
                @Content(mediaType = "application/cloudevents-batch+json"),
                @Content(mediaType = MediaType.APPLICATION_JSON),
                @Content(mediaType = "application/x-ndjson"),
                @Content(mediaType = "application/jsonl"),
                @Content(mediaType = "application/x-jsonlines")
            })
    @APIResponse(
            responseCode = "202",
            description = "Every event is acknowledged by Kafka (acks=all)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "207",
            description = "Some events were acknowledged, some not (refused lines, or not taken by Kafka: then"
                    + " Retry-After): see each result",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(
            responseCode = "400",
            description = "Malformed JSON (line-delimited: no valid line, some not JSON), the wrong shape for the"
                    + " content type, a bad ce-* header encoding, or a body that is not valid gzip or deflate data;"
                    + " nothing was accepted")
    @APIResponse(
            responseCode = "415",
            description = "Content-Type missing or not accepted, a charset other than UTF-8, or a Content-Encoding"
                    + " other than gzip, deflate or identity")
    @APIResponse(
            responseCode = "422",
            description = "Not valid CloudEvents, an empty batch, or a line-delimited body with no line that holds a"
                    + " valid CloudEvent; nothing was accepted")
    @APIResponse(
            responseCode = "503",
            description = "Kafka acknowledged none of the events in time, or too many are in flight; retry after"
                    + " Retry-After with the same ids")
    public CompletionStage<Response> ingest(byte[] body, HttpHeaders headers) {
        byte[] decoded =
                ContentEncoding.decode(headers.getHeaderString(HttpHeaders.CONTENT_ENCODING), body, maxBodyBytes);
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        // Only binary mode reads the other headers (its ce-* attributes): no map of them otherwise.
        Map<String, String> binaryHeaders =
                headers.getHeaderString(EventDecoder.BINARY_MODE_HEADER) != null ? lowerCaseNames(headers) : Map.of();
        return ingest.ingest(caller.tenant(), contentType, binaryHeaders, decoded)
                .thenApply(this::respond);
    }

    private Response respond(IngestResult result) {
        if (result.allAccepted()) {
            return Response.accepted(result.json())
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .build();
        }
        if (result.noneAccepted()) {
            throw new ProblemException(
                    Problem.of(
                                    ProblemType.UNAVAILABLE,
                                    "Kafka did not acknowledge the events; retry with the same ids.")
                            .with("results", result.results()),
                    retryAfter);
        }
        Response.ResponseBuilder partly =
                Response.status(MULTI_STATUS).entity(result.json()).type(MediaType.APPLICATION_JSON_TYPE);
        // Only what Kafka could not take is worth sending again; a refused line is not.
        if (result.anyUnavailable()) {
            partly.header(HttpHeaders.RETRY_AFTER, retryAfter.toSeconds());
        }
        return partly.build();
    }

    private static Map<String, String> lowerCaseNames(HttpHeaders headers) {
        Map<String, String> byName = new HashMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                byName.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        return byName;
    }
}
