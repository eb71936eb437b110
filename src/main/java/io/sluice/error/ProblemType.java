package io.sluice.error;

/** The classes of problems Sluice answers with; the URN is stable, clients may switch on it. */
public enum ProblemType {
    MALFORMED_JSON(400, "Malformed JSON"),
    INVALID_REQUEST(400, "Invalid request"),
    UNAUTHORIZED(401, "Unauthorized"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    CONFLICT(409, "Conflict"),
    PRECONDITION_FAILED(412, "Precondition failed"),
    INVALID_EVENT(422, "Invalid event"),
    INVALID_RULE(422, "Invalid rule"),
    INVALID_KEY_REQUEST(422, "Invalid key request"),
    QUOTA_EXCEEDED(422, "Quota exceeded"),
    TOO_MANY_REQUESTS(429, "Too many requests"),
    HEADERS_TOO_LARGE(431, "Request header fields too large"),
    INTERNAL(500, "Internal error"),
    UNAVAILABLE(503, "Service unavailable");

    private final int status;
    private final String title;

    ProblemType(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return "urn:sluice:problem:" + name().toLowerCase().replace('_', '-');
    }
}
