package io.sluice.caller;

import java.util.List;

/**
 * What a credential may do. Each scope is a role for {@code @RolesAllowed}: {@code ingest}
 * posts events, {@code subscribe} reads alerts and rules, {@code admin} manages keys and
 * rules of its tenant.
 */
public final class Scopes {

    public static final String INGEST = "ingest";
    public static final String SUBSCRIBE = "subscribe";
    public static final String ADMIN = "admin";

    /** Every scope a key can be given, in the order they are listed. */
    public static final List<String> ALL = List.of(INGEST, SUBSCRIBE, ADMIN);

    private Scopes() {}
}
