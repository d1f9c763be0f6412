//! Dossiers, their event log (with a per-dossier hash chain) and their attachments.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::{Db, Result, StoreError, Tx, col, guard};

/// The hash that starts every dossier's chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone)]
pub struct NewDossier {
    pub id: String,
    pub procedure_id: String,
    pub agency_id: String,
    pub applicant_id: String,
    /// National channel code: 1 in person, 2 online, 3 postal.
    pub channel: i64,
    pub form_sealed: String,
    /// Identity facts from registries, with their sources (sealed JSON).
    pub identity_sealed: Option<String>,
    /// `motcua_domain::channel::FilingMode` as text.
    pub filing_mode: String,
    /// The official who filed it for the applicant.
    pub filed_by: Option<String>,
    /// The national portal's reference of a dossier filed there.
    pub portal_ref: Option<String>,
}

/// Takes the next number of an agency's day (a dossier code's last part).
fn next_sequence<'q>(
    agency_id: &'q str,
    day: &'q str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(
        "INSERT INTO dossier_counters (agency_id, day, last_value) VALUES ($1, $2, 1) \
         ON CONFLICT (agency_id, day) DO UPDATE SET last_value = dossier_counters.last_value + 1 \
         RETURNING last_value",
    )
    .bind(agency_id)
    .bind(day)
}

impl Db {
    /// On PostgreSQL, takes the next number of an agency's day at once, in a statement of its
    /// own: every submission to the agency that day updates the same counter row, and inside
    /// the submission's transaction its lock would be held until that commit, one submission
    /// after another. A number taken for a submission that then fails is never used again
    /// (codes are unique and never reused; they need not be gapless). On SQLite, whose one
    /// writer takes turns anyway, `None`: the transaction takes it
    /// ([`Tx::next_code_sequence`]).
    pub async fn reserve_code_sequence(&self, agency_id: &str, day: &str) -> Result<Option<i64>> {
        if self.backend() == crate::Backend::Sqlite {
            return Ok(None);
        }
        guard::outside_transaction("a write through another connection")?;
        let row = next_sequence(agency_id, day).fetch_one(&self.write).await?;
        Ok(Some(col(&row, "last_value")?))
    }
}

impl NewDossier {
    /// The row [`Tx::create_dossier`] writes for it, with `created` as its first event: a
    /// use case that creates and changes a dossier in one transaction starts from it.
    pub fn row(&self, tenant: &str, created: &NewEventRecord) -> DossierRow {
        DossierRow {
            id: self.id.clone(),
            tenant_id: tenant.to_string(),
            code: None,
            procedure_id: self.procedure_id.clone(),
            agency_id: self.agency_id.clone(),
            applicant_id: self.applicant_id.clone(),
            channel: self.channel,
            state: created.to_state.clone(),
            form_sealed: self.form_sealed.clone(),
            has_result: false,
            rating: None,
            submitted_at: None,
            received_at: None,
            due_at: None,
            finished_at: None,
            last_seq: 1,
            last_hash: event_hash(&self.id, 1, GENESIS_HASH, created),
            created_at: created.at,
            updated_at: created.at,
            due_extended: false,
            supplement_requests: 0,
            identity_sealed: self.identity_sealed.clone(),
            clock_remaining_minutes: -1,
            filing_mode: self.filing_mode.clone(),
            filed_by: self.filed_by.clone(),
            portal_ref: self.portal_ref.clone(),
        }
    }
}

/// An event to append: who did what, when and why.
#[derive(Debug, Clone)]
pub struct NewEventRecord {
    pub at: i64,
    pub actor_id: String,
    pub actor_role: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
    /// JSON with the event's details (never personal data in the clear).
    pub data: Option<String>,
}

/// Columns of the dossier row to change together with an event; `None` leaves a column as is.
#[derive(Debug, Clone, Default)]
pub struct DossierPatch {
    pub state: Option<String>,
    pub code: Option<String>,
    pub submitted_at: Option<i64>,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub has_result: Option<bool>,
    pub rating: Option<i64>,
    pub form_sealed: Option<String>,
    pub due_extended: Option<bool>,
    pub supplement_requests: Option<i64>,
    /// Working minutes left when appraisal asked for a supplement; -1 clears it.
    pub clock_remaining_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    pub id: String,
    pub tenant_id: String,
    pub code: Option<String>,
    pub procedure_id: String,
    pub agency_id: String,
    pub applicant_id: String,
    pub channel: i64,
    pub state: String,
    pub form_sealed: String,
    pub has_result: bool,
    pub rating: Option<i64>,
    pub submitted_at: Option<i64>,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub last_seq: i64,
    pub last_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub due_extended: bool,
    pub supplement_requests: i64,
    pub identity_sealed: Option<String>,
    /// -1 when no supplement during appraisal is pending.
    pub clock_remaining_minutes: i64,
    pub filing_mode: String,
    pub filed_by: Option<String>,
    pub portal_ref: Option<String>,
}

/// A dossier as a line in a list.
#[derive(Debug, Clone)]
pub struct DossierListRow {
    pub id: String,
    pub code: Option<String>,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub state: String,
    pub submitted_at: Option<i64>,
    pub due_at: Option<i64>,
    pub updated_at: i64,
    pub filing_mode: String,
    pub applicant_id: String,
}

/// A dossier as its public status shows it (no personal data).
#[derive(Debug, Clone)]
pub struct PublicTrack {
    pub procedure_id: String,
    pub agency_id: String,
    pub state: String,
    pub submitted_at: Option<i64>,
    pub due_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// (instant, kind) of each event, oldest first.
    pub events: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: Option<String>,
    pub data: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    /// `component` or `result`.
    pub purpose: String,
    pub component_index: Option<i64>,
    pub file_name_sealed: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: String,
    pub dossier_id: String,
    pub purpose: String,
    pub component_index: Option<i64>,
    pub file_name_sealed: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub object_key: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// The chain hash of one event: any change to a stored event, or a removed one, breaks every
/// later hash.
pub fn event_hash(dossier_id: &str, seq: i64, prev_hash: &str, e: &NewEventRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        dossier_id,
        &seq.to_string(),
        &e.at.to_string(),
        &e.actor_id,
        &e.actor_role,
        &e.kind,
        e.from_state.as_deref().unwrap_or(""),
        &e.to_state,
        e.reason.as_deref().unwrap_or(""),
        e.data.as_deref().unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// True when the stored history is an unbroken chain from the genesis hash.
/// Where a dossier's chain breaks first, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event with this number is missing (the one at that place has another number).
    Missing(i64),
    /// This event does not follow the one before it (one before was changed or removed).
    Unlinked(i64),
    /// This event was changed after it was written.
    Altered(i64),
}

/// The first break of a dossier's hash chain, or `None` when it is intact.
pub fn first_break(dossier_id: &str, events: &[EventRow]) -> Option<ChainBreak> {
    let mut prev = GENESIS_HASH.to_string();
    for (i, e) in events.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Some(ChainBreak::Missing(expected));
        }
        if e.prev_hash != prev {
            return Some(ChainBreak::Unlinked(e.seq));
        }
        let record = NewEventRecord {
            at: e.at,
            actor_id: e.actor_id.clone(),
            actor_role: e.actor_role.clone(),
            kind: e.kind.clone(),
            from_state: e.from_state.clone(),
            to_state: e.to_state.clone(),
            reason: e.reason.clone(),
            data: e.data.clone(),
        };
        if event_hash(dossier_id, e.seq, &prev, &record) != e.hash {
            return Some(ChainBreak::Altered(e.seq));
        }
        prev = e.hash.clone();
    }
    None
}

/// Whether a dossier's hash chain is unbroken.
pub fn chain_is_intact(dossier_id: &str, events: &[EventRow]) -> bool {
    first_break(dossier_id, events).is_none()
}

const DOSSIER_COLUMNS: &str = "id, tenant_id, code, procedure_id, agency_id, applicant_id, channel, \
     state, form_sealed, has_result, rating, submitted_at, received_at, due_at, finished_at, \
     last_seq, last_hash, created_at, updated_at, due_extended, supplement_requests, identity_sealed, \
     clock_remaining_minutes, filing_mode, filed_by, portal_ref";

fn dossier(row: &AnyRow) -> Result<DossierRow> {
    Ok(DossierRow {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        code: col(row, "code")?,
        procedure_id: col(row, "procedure_id")?,
        agency_id: col(row, "agency_id")?,
        applicant_id: col(row, "applicant_id")?,
        channel: col(row, "channel")?,
        state: col(row, "state")?,
        form_sealed: col(row, "form_sealed")?,
        has_result: col::<i64>(row, "has_result")? != 0,
        rating: col(row, "rating")?,
        submitted_at: col(row, "submitted_at")?,
        received_at: col(row, "received_at")?,
        due_at: col(row, "due_at")?,
        finished_at: col(row, "finished_at")?,
        last_seq: col(row, "last_seq")?,
        last_hash: col(row, "last_hash")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        due_extended: col::<i64>(row, "due_extended")? != 0,
        supplement_requests: col(row, "supplement_requests")?,
        identity_sealed: col(row, "identity_sealed")?,
        clock_remaining_minutes: col(row, "clock_remaining_minutes")?,
        filing_mode: col(row, "filing_mode")?,
        filed_by: col(row, "filed_by")?,
        portal_ref: col(row, "portal_ref")?,
    })
}

pub(crate) fn list_row(row: &AnyRow) -> Result<DossierListRow> {
    Ok(DossierListRow {
        id: col(row, "id")?,
        code: col(row, "code")?,
        procedure_code: col(row, "procedure_code")?,
        procedure_name: col(row, "procedure_name")?,
        agency_name: col(row, "agency_name")?,
        state: col(row, "state")?,
        submitted_at: col(row, "submitted_at")?,
        due_at: col(row, "due_at")?,
        updated_at: col(row, "updated_at")?,
        filing_mode: col(row, "filing_mode")?,
        applicant_id: col(row, "applicant_id")?,
    })
}

fn attachment(row: &AnyRow) -> Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: col(row, "id")?,
        dossier_id: col(row, "dossier_id")?,
        purpose: col(row, "purpose")?,
        component_index: col(row, "component_index")?,
        file_name_sealed: col(row, "file_name_sealed")?,
        content_type: col(row, "content_type")?,
        size_bytes: col(row, "size_bytes")?,
        sha256: col(row, "sha256")?,
        object_key: col(row, "object_key")?,
        uploaded_by: col(row, "uploaded_by")?,
        uploaded_at: col(row, "uploaded_at")?,
    })
}

impl Tx {
    /// Creates a draft dossier with its first event.
    pub async fn create_dossier(
        &mut self,
        tenant: &str,
        d: &NewDossier,
        created: &NewEventRecord,
    ) -> Result<DossierRow> {
        let row = d.row(tenant, created);
        let hash = row.last_hash.clone();
        sqlx::query(
            "INSERT INTO dossiers (id, tenant_id, code, procedure_id, agency_id, applicant_id, channel, \
             state, form_sealed, has_result, last_seq, last_hash, created_at, updated_at, identity_sealed, \
             filing_mode, filed_by, portal_ref) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, 0, 1, $9, $10, $10, $11, $12, $13, $14)",
        )
        .bind(&d.id)
        .bind(tenant)
        .bind(&d.procedure_id)
        .bind(&d.agency_id)
        .bind(&d.applicant_id)
        .bind(d.channel)
        .bind(&created.to_state)
        .bind(&d.form_sealed)
        .bind(&hash)
        .bind(created.at)
        .bind(&d.identity_sealed)
        .bind(&d.filing_mode)
        .bind(&d.filed_by)
        .bind(&d.portal_ref)
        .execute(self.conn())
        .await?;
        self.insert_event(&d.id, 1, GENESIS_HASH, &hash, created)
            .await?;
        Ok(row)
    }

    async fn insert_event(
        &mut self,
        dossier_id: &str,
        seq: i64,
        prev: &str,
        hash: &str,
        e: &NewEventRecord,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO dossier_events (dossier_id, seq, at, actor_id, actor_role, kind, from_state, \
             to_state, reason, data, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(dossier_id)
        .bind(seq)
        .bind(e.at)
        .bind(&e.actor_id)
        .bind(&e.actor_role)
        .bind(&e.kind)
        .bind(&e.from_state)
        .bind(&e.to_state)
        .bind(&e.reason)
        .bind(&e.data)
        .bind(prev)
        .bind(hash)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Appends an event and applies `patch` to the dossier row, if the row is still at
    /// `expected_seq`; otherwise `StoreError::Conflict` and nothing is written.
    pub async fn append_event(
        &mut self,
        dossier_id: &str,
        expected_seq: i64,
        prev_hash: &str,
        e: &NewEventRecord,
        patch: &DossierPatch,
    ) -> Result<i64> {
        let seq = expected_seq + 1;
        let hash = event_hash(dossier_id, seq, prev_hash, e);
        let done = sqlx::query(
            "UPDATE dossiers SET state = COALESCE($1, state), code = COALESCE($2, code), \
             submitted_at = COALESCE($3, submitted_at), received_at = COALESCE($4, received_at), \
             due_at = COALESCE($5, due_at), finished_at = COALESCE($6, finished_at), \
             has_result = COALESCE($7, has_result), rating = COALESCE($8, rating), \
             form_sealed = COALESCE($9, form_sealed), last_seq = $10, last_hash = $11, updated_at = $12, \
             due_extended = COALESCE($15, due_extended), \
             supplement_requests = COALESCE($16, supplement_requests), \
             clock_remaining_minutes = COALESCE($17, clock_remaining_minutes) \
             WHERE id = $13 AND last_seq = $14",
        )
        .bind(&patch.state)
        .bind(&patch.code)
        .bind(patch.submitted_at)
        .bind(patch.received_at)
        .bind(patch.due_at)
        .bind(patch.finished_at)
        .bind(patch.has_result.map(i64::from))
        .bind(patch.rating)
        .bind(&patch.form_sealed)
        .bind(seq)
        .bind(&hash)
        .bind(e.at)
        .bind(dossier_id)
        .bind(expected_seq)
        .bind(patch.due_extended.map(i64::from))
        .bind(patch.supplement_requests)
        .bind(patch.clock_remaining_minutes)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        self.insert_event(dossier_id, seq, prev_hash, &hash, e)
            .await?;
        Ok(seq)
    }

    /// The next number in the day's sequence of an agency's dossier codes; never reused.
    pub async fn next_code_sequence(&mut self, agency_id: &str, day: &str) -> Result<i64> {
        let row = next_sequence(agency_id, day).fetch_one(self.conn()).await?;
        col(&row, "last_value")
    }

    pub async fn insert_attachment(&mut self, dossier_id: &str, a: &NewAttachment) -> Result<()> {
        sqlx::query(
            "INSERT INTO attachments (id, dossier_id, purpose, component_index, file_name_sealed, \
             content_type, size_bytes, sha256, object_key, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&a.id)
        .bind(dossier_id)
        .bind(&a.purpose)
        .bind(a.component_index)
        .bind(&a.file_name_sealed)
        .bind(&a.content_type)
        .bind(a.size_bytes)
        .bind(&a.sha256)
        .bind(&a.object_key)
        .bind(&a.uploaded_by)
        .bind(a.uploaded_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

const ATTACHMENT_COLUMNS: &str = "id, dossier_id, purpose, component_index, file_name_sealed, \
     content_type, size_bytes, sha256, object_key, uploaded_by, uploaded_at";

pub(crate) const LIST_SELECT: &str = "SELECT d.id, d.code, p.code AS procedure_code, p.name AS procedure_name, \
     a.name AS agency_name, d.state, d.submitted_at, d.due_at, d.updated_at, d.filing_mode, d.applicant_id \
     FROM dossiers d JOIN procedures p ON p.id = d.procedure_id JOIN agencies a ON a.id = d.agency_id";

impl Db {
    /// A page of a tenant's dossier ids, in id order, after `after` (to walk them all).
    pub async fn dossier_ids_after(
        &self,
        tenant: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT id FROM dossiers WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(tenant)
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(|r| col(r, "id")).collect()
    }

    pub async fn dossier(&self, tenant: &str, id: &str) -> Result<Option<DossierRow>> {
        self.dossier_where(tenant, "id", id).await
    }

    /// What the public status of a dossier shows, in one round trip: the dossier's state and
    /// dates, and each event's instant and kind, oldest first.
    pub async fn public_track(&self, tenant: &str, code: &str) -> Result<Option<PublicTrack>> {
        let rows = sqlx::query(
            "SELECT d.procedure_id, d.agency_id, d.state, d.submitted_at, d.due_at, d.finished_at, \
             e.at, e.kind FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id \
             WHERE d.tenant_id = $1 AND d.code = $2 ORDER BY e.seq",
        )
        .bind(tenant)
        .bind(code)
        .fetch_all(self.reader()?)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(PublicTrack {
            procedure_id: col(first, "procedure_id")?,
            agency_id: col(first, "agency_id")?,
            state: col(first, "state")?,
            submitted_at: col(first, "submitted_at")?,
            due_at: col(first, "due_at")?,
            finished_at: col(first, "finished_at")?,
            events: rows
                .iter()
                .map(|r| Ok((col(r, "at")?, col(r, "kind")?)))
                .collect::<Result<_>>()?,
        }))
    }

    pub async fn dossier_by_code(&self, tenant: &str, code: &str) -> Result<Option<DossierRow>> {
        self.dossier_where(tenant, "code", code).await
    }

    /// The dossier pulled from the national portal under its reference, if any.
    pub async fn dossier_by_portal_ref(
        &self,
        tenant: &str,
        portal_ref: &str,
    ) -> Result<Option<DossierRow>> {
        self.dossier_where(tenant, "portal_ref", portal_ref).await
    }

    /// Where the pull from the national portal stopped (0 before the first).
    pub async fn portal_cursor(&self, tenant: &str) -> Result<u64> {
        let row = sqlx::query("SELECT cursor FROM portal_pull WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(self.reader()?)
            .await?;
        Ok(match row {
            Some(r) => u64::try_from(col::<i64>(&r, "cursor")?).unwrap_or(0),
            None => 0,
        })
    }

    pub async fn set_portal_cursor(&self, tenant: &str, cursor: u64) -> Result<()> {
        let cursor = i64::try_from(cursor).unwrap_or(i64::MAX);
        self.write_one(
            sqlx::query(
                "INSERT INTO portal_pull (tenant_id, cursor) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET cursor = excluded.cursor",
            )
            .bind(tenant)
            .bind(cursor),
        )
        .await?;
        Ok(())
    }

    /// One dossier by a unique column (`id`, `code` or `portal_ref`, never user input).
    async fn dossier_where(
        &self,
        tenant: &str,
        column: &'static str,
        value: &str,
    ) -> Result<Option<DossierRow>> {
        let sql = format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE tenant_id = $1 AND {column} = $2"
        );
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(value)
            .fetch_optional(self.reader()?)
            .await?;
        row.as_ref().map(dossier).transpose()
    }

    /// An agency's dossiers in the given states, what is due first on top.
    pub async fn dossiers_of_agency(
        &self,
        tenant: &str,
        agency_id: &str,
        states: &[&str],
        limit: i64,
    ) -> Result<Vec<DossierListRow>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..states.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "{LIST_SELECT} WHERE d.tenant_id = $1 AND d.agency_id = $2 AND d.state IN ({}) \
             ORDER BY COALESCE(d.due_at, d.submitted_at, d.updated_at), d.updated_at LIMIT $3",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(agency_id).bind(limit);
        for s in states {
            q = q.bind(*s);
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter().map(list_row).collect()
    }

    /// The whole history, oldest first.
    pub async fn events(&self, dossier_id: &str) -> Result<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, actor_role, kind, from_state, to_state, reason, data, prev_hash, hash \
             FROM dossier_events WHERE dossier_id = $1 ORDER BY seq",
        )
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EventRow {
                    seq: col(r, "seq")?,
                    at: col(r, "at")?,
                    actor_id: col(r, "actor_id")?,
                    actor_role: col(r, "actor_role")?,
                    kind: col(r, "kind")?,
                    from_state: col(r, "from_state")?,
                    to_state: col(r, "to_state")?,
                    reason: col(r, "reason")?,
                    data: col(r, "data")?,
                    prev_hash: col(r, "prev_hash")?,
                    hash: col(r, "hash")?,
                })
            })
            .collect()
    }

    pub async fn attachments(&self, dossier_id: &str) -> Result<Vec<AttachmentRow>> {
        let rows = sqlx::query(
            &format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE dossier_id = $1 ORDER BY uploaded_at, id"),
        )
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(attachment).collect()
    }

    pub async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>> {
        let row = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader()?)
        .await?;
        row.as_ref().map(attachment).transpose()
    }
}
