-- The spine of motcua. Instants are BIGINT microseconds since the Unix epoch (UTC); identifiers
-- are TEXT (UUID v7); personal data lives only in *_sealed columns, encrypted by the application.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    catalog_key TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    commune_code BIGINT,
    UNIQUE (tenant_id, code),
    UNIQUE (tenant_id, catalog_key)
);

CREATE TABLE procedures (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    agency_key TEXT NOT NULL,
    per_commune BIGINT NOT NULL,
    online_service TEXT NOT NULL,
    legal_working_days BIGINT NOT NULL,
    fee_vnd BIGINT NOT NULL,
    online_fee_vnd BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, code, version)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    login TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    display_name_sealed TEXT NOT NULL,
    profile_sealed TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, login)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code TEXT UNIQUE,
    procedure_id TEXT NOT NULL REFERENCES procedures(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    applicant_id TEXT NOT NULL REFERENCES users(id),
    channel BIGINT NOT NULL,
    state TEXT NOT NULL,
    form_sealed TEXT NOT NULL,
    has_result BIGINT NOT NULL,
    rating BIGINT,
    submitted_at BIGINT,
    received_at BIGINT,
    due_at BIGINT,
    finished_at BIGINT,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dossiers_applicant ON dossiers (applicant_id, updated_at);
CREATE INDEX dossiers_agency_state ON dossiers (agency_id, state, updated_at);

CREATE TABLE dossier_events (
    id BIGSERIAL PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT,
    data TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (dossier_id, seq)
);

CREATE TABLE dossier_counters (
    agency_id TEXT NOT NULL,
    day TEXT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    purpose TEXT NOT NULL,
    component_index BIGINT,
    file_name_sealed TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    object_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_dossier ON attachments (dossier_id);

CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    subject_user_id TEXT,
    dossier_id TEXT,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject_user_id, at);
