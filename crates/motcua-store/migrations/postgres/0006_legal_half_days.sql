-- Legal processing time in half working days, so that 0.5 and 2.5 days can be entered.
ALTER TABLE procedures ADD COLUMN legal_half_days BIGINT NOT NULL DEFAULT 0;
UPDATE procedures SET legal_half_days = legal_working_days * 2;
ALTER TABLE procedures DROP COLUMN legal_working_days;
