-- Per-tenant overrides of the quotas (sluice.quotas.*), set by the platform operator. A NULL
-- column is the configured default; a tenant without a row has the defaults throughout.
CREATE TABLE tenant_quotas (
    tenant               TEXT        PRIMARY KEY,
    rules                INTEGER     CHECK (rules >= 0),
    keys                 INTEGER     CHECK (keys >= 0),
    streams              INTEGER     CHECK (streams >= 0),
    replays              INTEGER     CHECK (replays >= 0),
    replay_range_seconds BIGINT      CHECK (replay_range_seconds > 0),
    requests             INTEGER     CHECK (requests >= 0),
    updated_by           TEXT        NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
