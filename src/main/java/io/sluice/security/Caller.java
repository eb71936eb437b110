package io.sluice.security;

import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.RequestScoped;

/**
 * Who is calling, as far as the data path cares: the tenant its events belong to. The tenant
 * always comes from here, never from a request body. Until API keys and JWT land, every
 * caller is the configured anonymous tenant ({@code sluice.security.anonymous-tenant}).
 */
@RequestScoped
public class Caller {

    private final String tenant;

    Caller(SluiceConfig config) {
        this.tenant = config.security().anonymousTenant();
    }

    public String tenant() {
        return tenant;
    }
}
