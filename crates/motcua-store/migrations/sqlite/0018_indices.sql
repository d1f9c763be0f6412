-- Incrementally maintained aggregates for the Decision 766 figures. After every dossier event
-- (in its transaction) the dossier's facts are folded again from its events; index_dossiers
-- keeps the last fold, and the difference goes into index_daily, one row per tenant, day
-- (Vietnam civil date as yyyymmdd), agency and procedure. Dashboards sum days instead of
-- reading events; whole months of a period read index_monthly.
-- Derived from the event log and rebuilt from it, so it holds no foreign keys.
CREATE TABLE index_dossiers (
    dossier_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    -- 1 while received and not ended: the live figures judge these now, not at a day's end.
    is_open BIGINT NOT NULL,
    due_at BIGINT,
    facts TEXT NOT NULL
);
CREATE INDEX index_dossiers_open ON index_dossiers (tenant_id, agency_id) WHERE is_open = 1;

CREATE TABLE index_daily (
    tenant_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    online BIGINT NOT NULL DEFAULT 0,
    self_filed BIGINT NOT NULL DEFAULT 0,
    assisted BIGINT NOT NULL DEFAULT 0,
    synced BIGINT NOT NULL DEFAULT 0,
    with_fee BIGINT NOT NULL DEFAULT 0,
    paid_online BIGINT NOT NULL DEFAULT 0,
    electronic_result BIGINT NOT NULL DEFAULT 0,
    digitised BIGINT NOT NULL DEFAULT 0,
    result_to_store BIGINT NOT NULL DEFAULT 0,
    population_registry BIGINT NOT NULL DEFAULT 0,
    reused_data BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    disliked BIGINT NOT NULL DEFAULT 0,
    complained_or_disliked BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    ended BIGINT NOT NULL DEFAULT 0,
    ended_on_time BIGINT NOT NULL DEFAULT 0,
    ended_late BIGINT NOT NULL DEFAULT 0,
    due_total BIGINT NOT NULL DEFAULT 0,
    ended_by_due BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, agency_id, procedure_code)
);
CREATE INDEX index_daily_agency ON index_daily (tenant_id, agency_id, day);

-- The same sums by month (yyyymm): whole months of a period read these, 30 times fewer rows.
CREATE TABLE index_monthly (
    tenant_id TEXT NOT NULL,
    month BIGINT NOT NULL,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    online BIGINT NOT NULL DEFAULT 0,
    self_filed BIGINT NOT NULL DEFAULT 0,
    assisted BIGINT NOT NULL DEFAULT 0,
    synced BIGINT NOT NULL DEFAULT 0,
    with_fee BIGINT NOT NULL DEFAULT 0,
    paid_online BIGINT NOT NULL DEFAULT 0,
    electronic_result BIGINT NOT NULL DEFAULT 0,
    digitised BIGINT NOT NULL DEFAULT 0,
    result_to_store BIGINT NOT NULL DEFAULT 0,
    population_registry BIGINT NOT NULL DEFAULT 0,
    reused_data BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    disliked BIGINT NOT NULL DEFAULT 0,
    complained_or_disliked BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    ended BIGINT NOT NULL DEFAULT 0,
    ended_on_time BIGINT NOT NULL DEFAULT 0,
    ended_late BIGINT NOT NULL DEFAULT 0,
    due_total BIGINT NOT NULL DEFAULT 0,
    ended_by_due BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month, agency_id, procedure_code)
);
CREATE INDEX index_monthly_agency ON index_monthly (tenant_id, agency_id, month);
CREATE INDEX personal_documents_source ON personal_documents (source_dossier_id);
