package io.sluice.security;

import io.sluice.caller.Caller;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Short-lived, single-use tickets for the alert stream. A browser's EventSource cannot send an
 * Authorization header, and a key in a URL ends up in proxy logs and browser history; a ticket
 * in a URL is worth nothing once used or after {@code sluice.security.tickets.ttl}.
 *
 * <p>Tickets live in Redis, so one issued by any replica is redeemed on any other; Redis keeps
 * only the ticket's hash, and {@code GETDEL} makes redeeming it atomic: two connections with
 * the same ticket, on any replicas, cannot both get in.
 */
@ApplicationScoped
public class StreamTickets {

    private static final int TICKET_BYTES = 32;

    private final Redis redis;
    private final Duration ttl;

    StreamTickets(Redis redis, SluiceConfig config) {
        this.redis = redis;
        this.ttl = config.security().tickets().ttl();
    }

    /** What a redeemed ticket stands for: the credential that asked for it, and its tenant. */
    record Redeemed(String credential, String tenant) {}

    public Duration ttl() {
        return ttl;
    }

    /** A new ticket for {@code caller}'s tenant, in the caller's name. */
    public Uni<String> issue(Caller caller) {
        String ticket = ApiKeyFormat.randomToken(TICKET_BYTES);
        String value = caller.credential() + "\n" + caller.tenant();
        return redis.send(Request.cmd(Command.SET)
                        .arg(redisKey(ticket))
                        .arg(value)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl.toMillis()))
                .map(answer -> {
                    if (answer == null) {
                        throw new IllegalStateException("a fresh random ticket collided with a live one");
                    }
                    return ticket;
                });
    }

    /** The ticket's holder, once; null if it is unknown, used or expired. */
    Uni<Redeemed> redeem(String ticket) {
        return redis.send(Request.cmd(Command.GETDEL).arg(redisKey(ticket))).map(answer -> {
            if (answer == null) {
                return null;
            }
            String value = answer.toString();
            int newline = value.indexOf('\n');
            return new Redeemed(value.substring(0, newline), value.substring(newline + 1));
        });
    }

    private static String redisKey(String ticket) {
        return "ticket:" + HexFormat.of().formatHex(ApiKeyFormat.hash(ticket));
    }
}
