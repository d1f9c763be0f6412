-- Feedback (phản ánh, kiến nghị): on a dossier after its handling ended, or on a procedure at an
-- agency. Causes are fixed codes joined by commas (motcua_domain::feedback::Cause); the free
-- text and the agency's answer may hold personal data and are sealed by the application.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    dossier_id TEXT REFERENCES dossiers(id),
    procedure_id TEXT REFERENCES procedures(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    causes TEXT NOT NULL,
    text_sealed TEXT,
    created_at BIGINT NOT NULL,
    answer_sealed TEXT,
    answered_by TEXT REFERENCES users(id),
    answered_at BIGINT
);
CREATE INDEX feedback_author ON feedback (tenant_id, author_id, created_at);
CREATE INDEX feedback_agency ON feedback (tenant_id, agency_id, created_at);
CREATE INDEX feedback_dossier ON feedback (dossier_id);
