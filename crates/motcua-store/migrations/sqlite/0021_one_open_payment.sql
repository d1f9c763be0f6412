-- One open gateway session per dossier: a second "pay" is given the open one instead of a new
-- session, so a citizen cannot pay a fee twice by opening two. A session is reserved
-- ('opening') before the gateway is asked, then 'pending' with its address; an open one that
-- is too old or for another amount is 'abandoned' (still settled if paid later). Money the
-- gateway takes that was not owed is 'refunding', then 'refunded' through the gateway.
ALTER TABLE payments ADD COLUMN redirect_url TEXT;
ALTER TABLE payments ADD COLUMN refund_id TEXT;
ALTER TABLE payments ADD COLUMN refunded_at BIGINT;
UPDATE payments SET status = 'abandoned'
WHERE method = 'gateway' AND status = 'pending' AND EXISTS (
    SELECT 1 FROM payments newer
    WHERE newer.dossier_id = payments.dossier_id AND newer.method = 'gateway'
      AND newer.status = 'pending'
      AND (newer.created_at > payments.created_at
           OR (newer.created_at = payments.created_at AND newer.id > payments.id)));
CREATE UNIQUE INDEX payments_one_open ON payments (dossier_id)
    WHERE method = 'gateway' AND status IN ('opening', 'pending');
