package io.sluice.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A stream ticket from {@code ?ticket=}, which a browser's EventSource can send where it cannot send headers. */
final class StreamTicketRequest extends BaseAuthenticationRequest {

    private final String ticket;

    StreamTicketRequest(String ticket) {
        this.ticket = ticket;
    }

    String ticket() {
        return ticket;
    }

    @Override
    public String toString() {
        return "StreamTicketRequest";
    }
}
