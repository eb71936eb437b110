-- Reconciliation: "did we lose anything?" per tenant and minute of acceptance.
-- Stored events are counted from `events` itself (so rows deleted behind Sluice's back show);
-- the other three are recorded here, each row keyed so that a record processed twice (a crash
-- before the offset commit) is counted once.

-- Events answered 2xx, counted by the replica that answered and added here every second.
CREATE TABLE accepted_counts (
    tenant   TEXT        NOT NULL,
    minute   TIMESTAMPTZ NOT NULL,
    accepted BIGINT      NOT NULL,
    PRIMARY KEY (tenant, minute)
);

-- A record of the events topic whose event was already stored from another record: a
-- client's re-post. Keyed by the record, so its redelivery is not a second hit; a record
-- whose own row exists (a redelivery of what was stored) is never a hit.
CREATE TABLE dedup_hits (
    kafka_partition INTEGER     NOT NULL,
    kafka_offset    BIGINT      NOT NULL,
    tenant          TEXT        NOT NULL,
    source          TEXT        NOT NULL,
    event_id        TEXT        NOT NULL,
    accepted_at     TIMESTAMPTZ NOT NULL,
    found_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kafka_partition, kafka_offset)
);

CREATE INDEX dedup_hits_event ON dedup_hits (tenant, source, event_id);
CREATE INDEX dedup_hits_accepted_at ON dedup_hits (tenant, accepted_at);

-- Sluice's index of the dead-letter topic, with each record's content, so it can be listed,
-- inspected and redriven without scanning the topic. Keyed by where the record came from:
-- dead-lettering the same record twice (a crash before the offset commit) keeps one entry.
-- Tenant, source, id and acceptance time are what could be read from the record (poison may
-- lack them).
CREATE TABLE dead_letters (
    id               BIGSERIAL   PRIMARY KEY,
    origin_topic     TEXT        NOT NULL,
    origin_partition INTEGER     NOT NULL,
    origin_offset    BIGINT      NOT NULL,
    tenant           TEXT,
    source           TEXT,
    event_id         TEXT,
    accepted_at      TIMESTAMPTZ,
    reason           TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL,
    record_key       BYTEA,
    headers          JSONB       NOT NULL,
    value            BYTEA       NOT NULL,
    dead_lettered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    redriven_at      TIMESTAMPTZ,
    redriven_to      TEXT,
    CONSTRAINT dead_letters_origin UNIQUE (origin_topic, origin_partition, origin_offset)
);

CREATE INDEX dead_letters_tenant ON dead_letters (tenant, id);
CREATE INDEX dead_letters_event ON dead_letters (tenant, source, event_id);
CREATE INDEX dead_letters_accepted_at ON dead_letters (tenant, accepted_at);
