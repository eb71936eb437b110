-- API keys. The key itself is shown once, when it is created; only its SHA-256 is kept
-- (the key carries 256 random bits, so a slow password hash would add nothing but cost on
-- every request). A revoked key stays, so the audit trail can still name it.
CREATE TABLE api_keys (
    id          TEXT        PRIMARY KEY,
    tenant      TEXT        NOT NULL,
    scopes      TEXT[]      NOT NULL CHECK (scopes <@ ARRAY['ingest', 'subscribe', 'admin'] AND cardinality(scopes) > 0),
    key_hash    BYTEA       NOT NULL,
    description TEXT,
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant);

-- What administrators did: keys created and revoked, rules changed. Never a secret.
CREATE TABLE audit_log (
    id       BIGSERIAL   PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    tenant   TEXT        NOT NULL,
    actor    TEXT        NOT NULL,
    action   TEXT        NOT NULL,
    target   TEXT        NOT NULL,
    detail   JSONB       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);
