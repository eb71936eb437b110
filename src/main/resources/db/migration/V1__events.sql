-- Every accepted event, stored once. The unique key is the CloudEvents identity
-- (source + id) within a tenant; the sink inserts with ON CONFLICT DO NOTHING against it,
-- so it stays the authority when the Redis fast path forgets.
CREATE TABLE events (
    tenant          TEXT        NOT NULL,
    source          TEXT        NOT NULL,
    event_id        TEXT        NOT NULL,
    type            TEXT        NOT NULL,
    subject         TEXT,
    event_time      TIMESTAMPTZ,
    data            JSONB,
    kafka_partition INTEGER     NOT NULL,
    kafka_offset    BIGINT      NOT NULL,
    accepted_at     TIMESTAMPTZ NOT NULL,
    stored_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT events_identity UNIQUE (tenant, source, event_id)
);

-- Reads by time (reconciliation, replay checks) go through accepted_at.
CREATE INDEX events_accepted_at ON events (accepted_at);
