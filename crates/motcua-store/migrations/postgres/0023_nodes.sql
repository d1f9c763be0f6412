-- The running server processes (nodes), each under an id drawn when it starts, and when each
-- was last seen alive. A request key claimed by a node that is gone is not waited for: the
-- retry goes on at once instead of after a minute.
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
ALTER TABLE idempotency_keys ADD COLUMN node_id TEXT;
