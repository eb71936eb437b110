package io.sluice.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.sluice.error.Problem;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the OpenAPI document with what every operation shares, so each resource documents
 * only its own answers: the RFC 9457 problem schema on every error answer, and the errors any
 * operation can meet before its own code runs (credentials, rate limit, header and body
 * limits, an internal error). Runs at build time: the native image serves the finished document.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiDocument implements OASFilter {

    static final String PROBLEM_SCHEMA = "Problem";

    /** Answers any operation can give, by status. */
    private static final Map<String, String> EVERY_OPERATION = Map.of(
            "406", "The Accept header admits none of the media types this operation answers with.",
            "431", "Too many header fields.",
            "500", "Sluice failed unexpectedly; nothing was accepted by this request.");

    /** Answers of operations that need a credential. */
    private static final Map<String, String> SECURED = Map.of(
            "401",
            "No valid credential: an API key (Bearer slk_...) or a JWT.",
            "403",
            "The credential lacks the scope this operation needs, or reaches another tenant.",
            "429",
            "The credential reached a limit (its request rate; on the alert stream, its open streams);"
                    + " Retry-After says when to come back.");

    /** Answers of operations that take a body. */
    private static final Map<String, String> WITH_BODY =
            Map.of("413", "The body is larger than the limit (declared, sent, or once decoded).");

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSchema(PROBLEM_SCHEMA, problemSchema());
        if (api.getPaths() == null) {
            return;
        }
        for (PathItem path : api.getPaths().getPathItems().values()) {
            for (Operation operation : path.getOperations().values()) {
                complete(operation);
            }
        }
    }

    private static void complete(Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        addMissing(responses, EVERY_OPERATION);
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            // Replaces the generic words the security extension puts on 401 and 403.
            SECURED.forEach((status, description) -> responses.addAPIResponse(
                    status, OASFactory.createAPIResponse().description(description)));
        }
        if (operation.getRequestBody() != null) {
            addMissing(responses, WITH_BODY);
        }
        for (Map.Entry<String, APIResponse> response :
                responses.getAPIResponses().entrySet()) {
            if (isError(response.getKey())) {
                response.getValue().setContent(problemContent());
            }
        }
    }

    private static void addMissing(APIResponses responses, Map<String, String> answers) {
        answers.forEach((status, description) -> {
            if (!responses.hasAPIResponse(status)) {
                responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
            }
        });
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }

    private static Content problemContent() {
        return OASFactory.createContent()
                .addMediaType(
                        Problem.MEDIA_TYPE,
                        OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().ref(PROBLEM_SCHEMA)));
    }

    /** RFC 9457 problem details, with the members Sluice adds (errors, results) left open. */
    private static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(SchemaType.OBJECT)
                .description("An RFC 9457 problem: what went wrong, in words a client can act on. Members"
                        + " beyond the standard ones carry details (errors: each invalid event; results:"
                        + " each event's outcome).")
                .addProperty(
                        "type",
                        string("A URN naming the class of problem (urn:sluice:problem:...); clients may switch on it."))
                .addProperty("title", string("The class of problem in a few words."))
                .addProperty(
                        "status",
                        OASFactory.createSchema().addType(SchemaType.INTEGER).description("The HTTP status."))
                .addProperty("detail", string("What went wrong with this request, and what to do."))
                .addProperty("instance", string("The path of the request."))
                .required(List.of("type", "title", "status"))
                .additionalPropertiesBoolean(Boolean.TRUE);
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }
}
