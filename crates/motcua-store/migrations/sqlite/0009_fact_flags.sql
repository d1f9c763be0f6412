-- A citizen's report that a fact a registry holds about them is wrong (once only works only if
-- the registry is right). Sent to the registry as a correction request; the values are sealed.
CREATE TABLE fact_flags (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    dossier_id TEXT REFERENCES dossiers(id),
    fact_key TEXT NOT NULL,
    recorded_sealed TEXT NOT NULL,
    claimed_sealed TEXT NOT NULL,
    note_sealed TEXT,
    created_at BIGINT NOT NULL,
    registry_ticket TEXT,
    sent_at BIGINT,
    attempts BIGINT NOT NULL
);
CREATE INDEX fact_flags_user ON fact_flags (user_id, created_at);
CREATE INDEX fact_flags_unsent ON fact_flags (sent_at, created_at);
