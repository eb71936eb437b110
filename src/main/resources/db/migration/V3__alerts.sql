-- Early-warning rules, as data, per tenant. A change makes a new version; alerts name the
-- version that raised them.
CREATE TABLE rules (
    tenant      TEXT        NOT NULL,
    id          TEXT        NOT NULL,
    version     INTEGER     NOT NULL,
    name        TEXT        NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('threshold', 'rate', 'absence')),
    severity    TEXT        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    event_type  TEXT,
    definition  JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, id)
);

-- Each tenant's alert stream position. Taking the next number locks the tenant's row until
-- the transaction ends, so numbers are handed out in commit order and without gaps: a reader
-- that has seen number n and finds n + 2 knows n + 1 exists and where to fetch it.
CREATE TABLE alert_streams (
    tenant   TEXT   PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- Every alert transition (firing, resolved), written in the transaction of the events that
-- caused it: the outbox the relay publishes to Kafka, and the history SSE resumes from.
CREATE TABLE alerts (
    tenant       TEXT        NOT NULL,
    seq          BIGINT      NOT NULL,
    alert_id     TEXT        NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('firing', 'resolved')),
    rule_id      TEXT        NOT NULL,
    rule_version INTEGER     NOT NULL,
    rule_name    TEXT        NOT NULL,
    severity     TEXT        NOT NULL,
    subject      TEXT        NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    raised_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    details      JSONB       NOT NULL,
    relayed_at   TIMESTAMPTZ,
    PRIMARY KEY (tenant, seq),
    -- One firing and one resolution per alert, however often its events are processed.
    CONSTRAINT alerts_identity UNIQUE (tenant, alert_id, status)
);

CREATE INDEX alerts_unrelayed ON alerts (tenant, seq) WHERE relayed_at IS NULL;

-- What fires right now, per rule and subject: suppresses a second firing, names what to resolve.
CREATE TABLE alert_firing (
    tenant       TEXT        NOT NULL,
    rule_id      TEXT        NOT NULL,
    subject      TEXT        NOT NULL,
    alert_id     TEXT        NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant, rule_id, subject)
);

-- Rule window state lives here, beside the events, so it survives restarts and rebalances
-- and changes in the same transaction: the matching events' times for rate rules (pruned
-- once out of every window) and each subject's last matching event for absence rules.
CREATE TABLE rule_hits (
    tenant     TEXT        NOT NULL,
    rule_id    TEXT        NOT NULL,
    subject    TEXT        NOT NULL,
    event_time TIMESTAMPTZ NOT NULL
);

CREATE INDEX rule_hits_window ON rule_hits (tenant, rule_id, subject, event_time);

CREATE TABLE rule_heartbeats (
    tenant    TEXT        NOT NULL,
    rule_id   TEXT        NOT NULL,
    subject   TEXT        NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant, rule_id, subject)
);
