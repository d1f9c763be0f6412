-- A rebuild of the Decision 766 sums checks them one agency at a time, against the facts of
-- that agency's dossiers read in one snapshot: it pages through them by this index.
CREATE INDEX index_dossiers_agency ON index_dossiers (tenant_id, agency_id, dossier_id);
