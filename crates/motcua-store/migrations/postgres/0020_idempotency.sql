-- Idempotency keys: a retried request (same key, same caller) gets the first answer again and
-- writes nothing new. The key is claimed in the transaction of the request's effect, so an
-- effect and its claim land together; the answer is stored once the request is done.
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- 'claimed' (effect written, answer not yet stored) or 'done'
    state TEXT NOT NULL,
    -- what a retry may resume from (a dossier filed in several steps), if anything
    resource TEXT,
    status INTEGER,
    response_sealed TEXT,
    created_at BIGINT NOT NULL,
    -- when the request ended: with state 'claimed', it ended without an answer
    ended_at BIGINT,
    PRIMARY KEY (tenant_id, owner_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
