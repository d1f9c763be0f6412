-- Online payment of fees (thanh toán trực tuyến). Fees are paid into the receiving agency's
-- account: by the payment gateway (a session, then a signed callback) or by a bank transfer to
-- a VietQR code whose text is the dossier code. A callback can come twice or late: the bank's
-- transaction id is unique, so a repeated notice finds its row and changes nothing.
ALTER TABLE agencies ADD COLUMN bank_bin TEXT;
ALTER TABLE agencies ADD COLUMN bank_account TEXT;

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    -- 'gateway' or 'vietqr'
    method TEXT NOT NULL,
    -- What the dossier owed when the payment was asked for (or when the transfer arrived).
    amount_vnd BIGINT NOT NULL,
    -- The gateway's session; NULL for a transfer.
    session_id TEXT,
    -- 'pending', 'paid', 'failed', or 'unmatched' (money came but not what was owed: an
    -- officer settles it, e.g. refunds).
    status TEXT NOT NULL,
    transaction_id TEXT,
    paid_vnd BIGINT,
    paid_at BIGINT,
    -- The e-receipt's number, once paid.
    receipt_no TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_transaction ON payments (transaction_id);
CREATE UNIQUE INDEX payments_session ON payments (session_id);
CREATE UNIQUE INDEX payments_receipt ON payments (tenant_id, receipt_no);
CREATE INDEX payments_dossier ON payments (dossier_id, created_at);
CREATE INDEX payments_pending ON payments (status, created_at);
