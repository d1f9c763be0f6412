-- Days off and working days an administrator enters from the Prime Minister's yearly decisions.
CREATE TABLE calendar_overrides (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('day_off', 'working_day')),
    name TEXT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);
