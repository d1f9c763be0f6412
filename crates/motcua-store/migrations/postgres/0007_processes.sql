-- Internal processes (BPMN 2.0), versioned per procedure code: a dossier's instance keeps the
-- version it started with. The instance's tokens are JSON written in the same transaction as
-- the dossier's event; process_tasks lists the waiting steps for the queues.
CREATE TABLE process_definitions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    procedure_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    bpmn TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, procedure_code, version)
);

CREATE TABLE process_instances (
    dossier_id TEXT PRIMARY KEY REFERENCES dossiers(id),
    definition_id TEXT NOT NULL REFERENCES process_definitions(id),
    state TEXT NOT NULL,
    ended BIGINT NOT NULL,
    next_timer_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX process_instances_timer ON process_instances (next_timer_at);

CREATE TABLE process_tasks (
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    token BIGINT NOT NULL,
    node_id TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    since BIGINT NOT NULL,
    due_at BIGINT,
    PRIMARY KEY (dossier_id, token)
);
CREATE INDEX process_tasks_agency ON process_tasks (agency_id, due_at);
