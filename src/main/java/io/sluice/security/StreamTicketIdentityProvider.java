package io.sluice.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Redeems a stream ticket, once: a second use, or one after it expired, is refused. */
@ApplicationScoped
class StreamTicketIdentityProvider implements IdentityProvider<StreamTicketRequest> {

    private final StreamTickets tickets;

    StreamTicketIdentityProvider(StreamTickets tickets) {
        this.tickets = tickets;
    }

    @Override
    public Class<StreamTicketRequest> getRequestType() {
        return StreamTicketRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(StreamTicketRequest request, AuthenticationRequestContext context) {
        return tickets.redeem(request.ticket()).map(redeemed -> {
            if (redeemed == null) {
                throw new AuthenticationFailedException("unknown, used or expired stream ticket");
            }
            return Identities.ofTicket(redeemed);
        });
    }
}
