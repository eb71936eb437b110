-- The sink reads, for each batch, only the rules that can match its events: a tenant's rules
-- of the batch's types and its rules for every type (event_type NULL). This index finds them
-- without reading the tenant's rules of other types.
CREATE INDEX rules_by_type ON rules (tenant, event_type);
