-- What each node keeps in memory (the working-day calendar, the catalog) has a version here,
-- raised in the transaction of every change; every node looks at these often and reloads what
-- changed, so two nodes never count a deadline on different calendars.
CREATE TABLE cache_versions (
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
