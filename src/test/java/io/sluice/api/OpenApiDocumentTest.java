package io.sluice.api;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.ingest.IngestResource;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The published OpenAPI document, fetched without credentials as a client generator would,
 * read by a real OpenAPI parser, and held against the routes the application's classes declare.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final Map<Class<? extends Annotation>, String> HTTP_METHODS = Map.of(
            GET.class,
            "get",
            POST.class,
            "post",
            PUT.class,
            "put",
            DELETE.class,
            "delete",
            PATCH.class,
            "patch",
            HEAD.class,
            "head");

    private OpenAPI document;

    /** Per test: RestAssured knows the application's port only once the test instance runs. */
    @BeforeEach
    void fetchAndParse() {
        String json = anonymous()
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json, null, options);
        assertThat(parsed.getMessages()).as("the parser's validation messages").isEmpty();
        document = parsed.getOpenAPI();
        assertThat(document).isNotNull();
    }

    @Test
    void everyRouteTheApplicationDeclaresIsDocumented() throws Exception {
        List<String> declared = declaredRoutes();
        assertThat(declared).hasSizeGreaterThan(20);

        List<String> documented = new ArrayList<>();
        document.getPaths()
                .forEach((path, item) ->
                        operations(item).forEach((method, operation) -> documented.add(method + " " + path)));

        assertThat(new TreeSet<>(documented)).containsExactlyElementsOf(new TreeSet<>(declared));
    }

    @Test
    void everyOperationSaysHowItSucceedsAndEveryErrorIsAProblem() {
        document.getPaths()
                .forEach((path, item) -> operations(item).forEach((method, operation) -> {
                    String name = method + " " + path;
                    Map<String, ApiResponse> responses = operation.getResponses();
                    assertThat(responses.keySet()).as(name).anyMatch(status -> status.startsWith("2"));
                    assertThat(responses.keySet()).as(name).contains("401", "403", "429", "431", "500");
                    if (operation.getRequestBody() != null) {
                        assertThat(responses.keySet()).as(name).contains("413");
                    }
                    assertThat(operation.getSecurity())
                            .as(name + " needs a credential")
                            .isNotEmpty();
                    responses.forEach((status, response) -> {
                        assertThat(response.getDescription())
                                .as(name + " " + status)
                                .isNotBlank();
                        if (status.startsWith("4") || status.startsWith("5")) {
                            assertThat(response.getContent())
                                    .as(name + " " + status)
                                    .containsOnlyKeys("application/problem+json");
                            assertThat(response.getContent()
                                            .get("application/problem+json")
                                            .getSchema()
                                            .get$ref())
                                    .isEqualTo("#/components/schemas/" + ApiDocument.PROBLEM_SCHEMA);
                        }
                    });
                }));
    }

    @Test
    void theProblemSchemaAndTheBearerSchemeAreDescribed() {
        var problem = document.getComponents().getSchemas().get(ApiDocument.PROBLEM_SCHEMA);
        assertThat(problem.getProperties()).containsKeys("type", "title", "status", "detail", "instance");
        assertThat(problem.getRequired()).containsExactlyInAnyOrder("type", "title", "status");

        SecurityScheme bearer = document.getComponents().getSecuritySchemes().get("bearer");
        assertThat(bearer.getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(bearer.getScheme()).isEqualTo("bearer");
        assertThat(bearer.getDescription()).contains("slk_");
    }

    @Test
    void ingestListsEveryFormatAndItsAnswers() {
        Operation ingest = document.getPaths().get("/v1/events").getPost();

        assertThat(ingest.getRequestBody().getContent())
                .containsKeys(
                        "application/cloudevents+json",
                        "application/cloudevents-batch+json",
                        "application/json",
                        "application/x-ndjson",
                        "application/jsonl");
        assertThat(ingest.getResponses()).containsKeys("202", "207", "400", "413", "415", "422", "503");
    }

    @Test
    void theAlertStreamIsAnEventStream() {
        Operation stream = document.getPaths().get("/v1/alerts/stream").getGet();

        assertThat(stream.getResponses().get("200").getContent()).containsKey("text/event-stream");
    }

    private static Map<String, Operation> operations(PathItem item) {
        Map<String, Operation> operations = new java.util.TreeMap<>();
        item.readOperationsMap()
                .forEach((method, operation) -> operations.put(method.name().toLowerCase(), operation));
        return operations;
    }

    /** METHOD path of every resource method in the application's classes. */
    private static List<String> declaredRoutes() throws Exception {
        java.nio.file.Path classes = classesDirectory();
        List<String> routes = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            for (java.nio.file.Path file :
                    files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name =
                        classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, OpenApiDocumentTest.class.getClassLoader());
                Path root = type.getAnnotation(Path.class);
                if (root == null || type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                    continue;
                }
                for (Method method : type.getDeclaredMethods()) {
                    for (Map.Entry<Class<? extends Annotation>, String> http : HTTP_METHODS.entrySet()) {
                        if (method.isAnnotationPresent(http.getKey())) {
                            Path sub = method.getAnnotation(Path.class);
                            routes.add(http.getValue() + " " + join(root.value(), sub == null ? "" : sub.value()));
                        }
                    }
                }
            }
        }
        return routes;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static java.nio.file.Path classesDirectory() throws URISyntaxException {
        return Paths.get(IngestResource.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }
}
