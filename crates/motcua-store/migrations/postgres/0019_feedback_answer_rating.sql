-- The author says whether the agency's answer to their feedback satisfied them (once): the
-- Decision 766 indicator "satisfaction with feedback handling". 1 satisfied, 0 not.
ALTER TABLE feedback ADD COLUMN answer_satisfied BIGINT;
ALTER TABLE feedback ADD COLUMN answer_rated_at BIGINT;
