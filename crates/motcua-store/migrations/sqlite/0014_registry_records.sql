-- Once only: a component the law lets the agency take from a national database (another
-- person's civil status, a social insurance book) is fetched when the dossier is filed, written
-- with the filing, and shown to the officer with its source; when the database did not answer
-- the officer sees that too and looks it up at intake. Records are sealed (personal data).
CREATE TABLE registry_records (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    component_index BIGINT NOT NULL,
    -- motcua_domain::procedure::ComponentSource, snake_case
    source TEXT NOT NULL,
    -- 'fetched', 'not_found' or 'unavailable'
    status TEXT NOT NULL,
    record_sealed TEXT,
    fetched_at BIGINT NOT NULL
);
CREATE INDEX registry_records_dossier ON registry_records (dossier_id, component_index);
