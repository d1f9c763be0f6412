-- The applicant's identity facts as taken from a registry when the dossier was started, each
-- with its source (sealed JSON; personal data).
ALTER TABLE dossiers ADD COLUMN identity_sealed TEXT;
