-- The personal document store (kho dữ liệu điện tử của tổ chức, cá nhân): results a citizen
-- received and components an agency checked at intake, kept so the citizen reuses them in a
-- new dossier instead of uploading again. A document points at the attachment it came from;
-- the same file (by SHA-256) is kept once per citizen. Titles are sealed.
CREATE TABLE personal_documents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    -- 'result' or 'component'
    kind TEXT NOT NULL,
    title_sealed TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    source_dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    sha256 TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    UNIQUE (owner_id, sha256)
);
CREATE INDEX personal_documents_owner ON personal_documents (owner_id, added_at);
