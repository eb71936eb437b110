-- Events Kafka acknowledged, per tenant and minute of acceptance, counted from the events
-- topic itself by the ledger (io.sluice.reconcile.AckLedger): a record below the high
-- watermark is one Kafka acknowledged (acks=all), whether or not its answer reached the
-- client. accepted_counts keeps what was answered 2xx, a separate figure.
CREATE TABLE acknowledged_counts (
    tenant       TEXT        NOT NULL,
    minute       TIMESTAMPTZ NOT NULL,
    acknowledged BIGINT      NOT NULL,
    PRIMARY KEY (tenant, minute)
);

-- How far the ledger has counted each partition: moved in the same transaction as the counts,
-- and only from the position the ledger read (compare and set), so a count survives any crash
-- and a ledger that lost its partition to another replica cannot add its records a second time.
CREATE TABLE ledger_positions (
    topic           TEXT    NOT NULL,
    kafka_partition INTEGER NOT NULL,
    next_offset     BIGINT  NOT NULL,
    PRIMARY KEY (topic, kafka_partition)
);
