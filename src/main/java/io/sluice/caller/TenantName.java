package io.sluice.caller;

import java.util.regex.Pattern;

/** What a tenant may be called, wherever a name comes in: an API key request or a token's claim. */
public final class TenantName {

    /** The rule, as an answer states it. */
    public static final String RULE = "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private TenantName() {}

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
