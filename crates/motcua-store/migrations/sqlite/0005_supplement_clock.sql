-- Working minutes left on the legal clock when appraisal asked for a supplement (-1: none), so
-- that a procedure configured to pause the clock can resume it on re-receipt.
ALTER TABLE dossiers ADD COLUMN clock_remaining_minutes BIGINT NOT NULL DEFAULT -1;
