-- Who filed a dossier and through which door, so that self-filed and assisted dossiers are
-- counted apart (DOMAIN.md, channels): 'self' (the applicant online), 'assisted' (an officer or
-- a support point filed online for the applicant), 'counter' (in person at the one-stop desk,
-- paper components scanned), 'national_portal' (filed on the national public service portal and
-- pulled into motcua). `filed_by` is the official who filed on the applicant's behalf;
-- `portal_ref` is the national portal's own dossier reference, unique so a pull never makes two.
ALTER TABLE dossiers ADD COLUMN filing_mode TEXT NOT NULL DEFAULT 'self';
ALTER TABLE dossiers ADD COLUMN filed_by TEXT;
ALTER TABLE dossiers ADD COLUMN portal_ref TEXT;
CREATE UNIQUE INDEX dossiers_portal_ref ON dossiers (tenant_id, portal_ref);

-- How far the pull of dossiers filed on the national portal has read (the portal's cursor).
CREATE TABLE portal_pull (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    cursor BIGINT NOT NULL
);
