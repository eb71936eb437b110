-- A Kafka offset is not a record's identity for ever: a topic deleted and created again
-- (after a disaster, or a rename) counts offsets from 0 again. A dedup hit is therefore keyed
-- by its event and its offset together, and a dead letter by its origin and the record's
-- timestamp; keyed by offset alone, a new record at an old record's offset was taken for a
-- redelivery of it and its entry silently dropped.
ALTER TABLE dedup_hits DROP CONSTRAINT dedup_hits_pkey;
ALTER TABLE dedup_hits ADD PRIMARY KEY (tenant, source, event_id, kafka_partition, kafka_offset);
-- The key leads with the event now: lookups by event use it.
DROP INDEX dedup_hits_event;

-- The record's Kafka timestamp (milliseconds since the epoch); -1 for entries made before.
ALTER TABLE dead_letters ADD COLUMN origin_timestamp BIGINT NOT NULL DEFAULT -1;
ALTER TABLE dead_letters DROP CONSTRAINT dead_letters_origin;
ALTER TABLE dead_letters ADD CONSTRAINT dead_letters_origin
    UNIQUE (origin_topic, origin_partition, origin_offset, origin_timestamp);
