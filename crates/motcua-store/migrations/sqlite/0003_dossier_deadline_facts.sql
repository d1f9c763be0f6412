-- Facts the lifecycle rules need: whether the due date was moved by an apology since receipt
-- (it moves only once), and how many supplements were requested (Decision 766 counts a dossier
-- with more than one as overdue).
ALTER TABLE dossiers ADD COLUMN due_extended BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN supplement_requests BIGINT NOT NULL DEFAULT 0;
