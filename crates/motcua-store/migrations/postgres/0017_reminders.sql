-- The daily reminder of what is due soon and overdue, once per agency and civil day: the row is
-- written in the same transaction as the officials' reminder mails, so a reminder is sent once
-- however many nodes run the job.
CREATE TABLE reminders (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    day TEXT NOT NULL,
    overdue BIGINT NOT NULL,
    due_today BIGINT NOT NULL,
    due_soon BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);
