-- The transactional outbox: what leaves the system (e-mail and SMS notices now; the national
-- portal sync later) is written in the same transaction as the event it tells of, then
-- delivered by a worker with retries and backoff. A worker leases a row (claimed_until) before
-- sending, so several nodes never send the same row at once; the idempotency key keeps one
-- event from queuing the same message twice.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    -- 'email' or 'sms'
    channel TEXT NOT NULL,
    dossier_id TEXT REFERENCES dossiers(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    -- Recipient and text, sealed (personal data).
    payload_sealed TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    delivered_at BIGINT,
    -- Given up after too many attempts or a permanent refusal.
    failed_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_dossier ON outbox (dossier_id, created_at);
