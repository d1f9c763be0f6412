-- A returned result is changed only by a leader's recorded correction (DOMAIN.md, "Dossier
-- lifecycle"): the corrected file is signed anew and every earlier signature of the dossier is
-- revoked in the same transaction, naming the correction event (its seq in the dossier's
-- history). A revoked signature still verifies; the public check reports it as revoked.
ALTER TABLE result_signatures ADD COLUMN revoked_at BIGINT;
ALTER TABLE result_signatures ADD COLUMN revoked_by_event BIGINT;
