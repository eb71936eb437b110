-- The rest of a CloudEvent, so the stored row is the whole event: JSON data stays in `data`,
-- any other data keeps the base64 text it arrived in, and the remaining context attributes
-- (extensions, dataschema, ...) are kept as sent.
ALTER TABLE events
    ADD COLUMN datacontenttype TEXT,
    ADD COLUMN data_base64     TEXT,
    ADD COLUMN attributes      JSONB NOT NULL DEFAULT '{}'::jsonb;
