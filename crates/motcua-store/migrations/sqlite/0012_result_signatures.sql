-- Results signed by the agency that returns them. Each agency has a current Ed25519 key (its
-- secret sealed by the application); a rotated key is retired but kept, so what it signed still
-- verifies. A signature covers the result file's SHA-256 with the dossier code, the agency
-- code and the signing instant (motcua_domain::seal::message).
CREATE TABLE agency_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    public_key TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE INDEX agency_keys_current ON agency_keys (agency_id, retired_at);

CREATE TABLE result_signatures (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    key_id TEXT NOT NULL REFERENCES agency_keys(id),
    sha256 TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (attachment_id)
);
CREATE INDEX result_signatures_dossier ON result_signatures (dossier_id);
