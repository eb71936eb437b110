package io.sluice.error;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves Sluice as {@code application/problem+json}. Unexpected failures are
 * logged here with their cause and answered with a generic 500: the client never sees a
 * stack trace or a class name.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        // Rounded up: a client that waits the whole seconds it is told must find the wait over.
        return respond(
                e.problem(),
                uri,
                e.retryAfter() == null ? null : (e.retryAfter().toMillis() + 999) / 1000);
    }

    /**
     * A refused credential is 401 like a missing one. An authentication refused with a problem of
     * its own as the cause (past the limit on refused credentials: 429) answers with that problem:
     * the failure stays an authentication failure where no mapper runs, and Quarkus answers it
     * with its challenge there.
     */
    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return e.getCause() instanceof ProblemException refusal ? problem(refusal, uri) : unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    /** Missing, malformed, unknown, revoked or expired credentials: one answer for all, so it tells nothing. */
    private static Response unauthorized(UriInfo uri) {
        Response response = respond(
                Problem.of(
                        ProblemType.UNAUTHORIZED, "Send a valid API key or token: Authorization: Bearer <credential>."),
                uri,
                null);
        return Response.fromResponse(response)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice\"")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(Problem.of(ProblemType.FORBIDDEN, "This credential lacks the scope this needs."), uri, null);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        return respond(Problem.of(ProblemType.NOT_FOUND, "No resource at this path."), uri, null);
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri) {
        return respond(Problem.of(ProblemType.METHOD_NOT_ALLOWED, "This method is not allowed here."), uri, null);
    }

    @ServerExceptionMapper
    public Response notSupported(NotSupportedException e, UriInfo uri) {
        return respond(
                Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "This content type is not accepted here."), uri, null);
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e, UriInfo uri) {
        return respond(
                Problem.of(ProblemType.NOT_ACCEPTABLE, "No representation matches the Accept header."), uri, null);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return respond(Problem.of(ProblemType.INTERNAL, "The request could not be completed."), uri, null);
        }
        return respond(
                new Problem(
                        ProblemType.INVALID_REQUEST.uri(),
                        Response.Status.fromStatusCode(status) == null
                                ? "Error"
                                : Response.Status.fromStatusCode(status).getReasonPhrase(),
                        status,
                        "The request was not accepted.",
                        null,
                        new java.util.LinkedHashMap<>()),
                uri,
                null);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.error("unexpected failure", e);
        return respond(Problem.of(ProblemType.INTERNAL, "The request could not be completed."), uri, null);
    }

    static Response respond(Problem problem, UriInfo uri, Long retryAfterSeconds) {
        Response.ResponseBuilder response = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.at(uri.getRequestUri().getRawPath()));
        if (retryAfterSeconds != null) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, retryAfterSeconds));
        }
        return response.build();
    }
}
