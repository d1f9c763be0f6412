//! Feedback (phản ánh, kiến nghị) and the agencies' answers. Text and answers arrive sealed.

use sqlx::any::AnyRow;

use crate::{Db, Result, StoreError, Tx, col};

/// One feedback row, as stored and as inserted.
#[derive(Debug, Clone)]
pub struct FeedbackRow {
    pub id: String,
    pub tenant_id: String,
    /// The dossier it is about; `None` for feedback on a procedure.
    pub dossier_id: Option<String>,
    pub procedure_id: Option<String>,
    /// The agency that answers it.
    pub agency_id: String,
    pub author_id: String,
    /// Cause codes joined by commas.
    pub causes: String,
    pub text_sealed: Option<String>,
    pub created_at: i64,
    pub answer_sealed: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    /// Whether the author was satisfied with the answer, once they said so.
    pub answer_satisfied: Option<bool>,
}

/// Feedback with what a list shows about its subject.
#[derive(Debug, Clone)]
pub struct FeedbackListRow {
    pub feedback: FeedbackRow,
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub procedure_name: Option<String>,
    pub agency_name: String,
}

const COLUMNS: &str = "f.id, f.tenant_id, f.dossier_id, f.procedure_id, f.agency_id, f.author_id, \
     f.causes, f.text_sealed, f.created_at, f.answer_sealed, f.answered_by, f.answered_at, \
     f.answer_satisfied";

const LIST_SELECT: &str = "SELECT f.id, f.tenant_id, f.dossier_id, f.procedure_id, f.agency_id, \
     f.author_id, f.causes, f.text_sealed, f.created_at, f.answer_sealed, f.answered_by, \
     f.answered_at, f.answer_satisfied, d.code AS dossier_code, p.code AS procedure_code, \
     p.name AS procedure_name, a.name AS agency_name FROM feedback f \
     LEFT JOIN dossiers d ON d.id = f.dossier_id LEFT JOIN procedures p ON p.id = f.procedure_id \
     JOIN agencies a ON a.id = f.agency_id";

fn feedback(row: &AnyRow) -> Result<FeedbackRow> {
    Ok(FeedbackRow {
        id: col(row, "id")?,
        tenant_id: col(row, "tenant_id")?,
        dossier_id: col(row, "dossier_id")?,
        procedure_id: col(row, "procedure_id")?,
        agency_id: col(row, "agency_id")?,
        author_id: col(row, "author_id")?,
        causes: col(row, "causes")?,
        text_sealed: col(row, "text_sealed")?,
        created_at: col(row, "created_at")?,
        answer_sealed: col(row, "answer_sealed")?,
        answered_by: col(row, "answered_by")?,
        answered_at: col(row, "answered_at")?,
        answer_satisfied: col::<Option<i64>>(row, "answer_satisfied")?.map(|v| v != 0),
    })
}

fn list_row(row: &AnyRow) -> Result<FeedbackListRow> {
    Ok(FeedbackListRow {
        feedback: feedback(row)?,
        dossier_code: col(row, "dossier_code")?,
        procedure_code: col(row, "procedure_code")?,
        procedure_name: col(row, "procedure_name")?,
        agency_name: col(row, "agency_name")?,
    })
}

impl Db {
    /// The author's word on the answer, once: `StoreError::Conflict` if the feedback is not
    /// theirs, not answered yet, or already rated.
    pub async fn rate_feedback_answer(
        &self,
        tenant: &str,
        id: &str,
        author_id: &str,
        satisfied: bool,
        at: i64,
    ) -> Result<()> {
        let done = self
            .write_one(
                sqlx::query(
                    "UPDATE feedback SET answer_satisfied = $1, answer_rated_at = $2 \
             WHERE tenant_id = $3 AND id = $4 AND author_id = $5 AND answered_at IS NOT NULL \
             AND answer_satisfied IS NULL",
                )
                .bind(i64::from(satisfied))
                .bind(at)
                .bind(tenant)
                .bind(id)
                .bind(author_id),
            )
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }
}

impl Tx {
    /// Records the answer, once: `StoreError::Conflict` if it was answered meanwhile.
    pub async fn answer_feedback(
        &mut self,
        tenant: &str,
        id: &str,
        answer_sealed: &str,
        answered_by: &str,
        answered_at: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE feedback SET answer_sealed = $1, answered_by = $2, answered_at = $3 \
             WHERE tenant_id = $4 AND id = $5 AND answered_at IS NULL",
        )
        .bind(answer_sealed)
        .bind(answered_by)
        .bind(answered_at)
        .bind(tenant)
        .bind(id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }
}

impl Db {
    /// Stores feedback; one on a dossier moves the dossier's 766 figures in the same
    /// transaction (a complaint lowers satisfaction).
    pub async fn insert_feedback(&self, f: &FeedbackRow) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO feedback (id, tenant_id, dossier_id, procedure_id, agency_id, author_id, \
             causes, text_sealed, created_at, answer_sealed, answered_by, answered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&f.id)
        .bind(&f.tenant_id)
        .bind(&f.dossier_id)
        .bind(&f.procedure_id)
        .bind(&f.agency_id)
        .bind(&f.author_id)
        .bind(&f.causes)
        .bind(&f.text_sealed)
        .bind(f.created_at)
        .bind(&f.answer_sealed)
        .bind(&f.answered_by)
        .bind(f.answered_at)
        .execute(tx.conn())
        .await?;
        if let Some(dossier) = &f.dossier_id {
            tx.refresh_dossier_index(dossier).await?;
        }
        tx.commit().await
    }

    pub async fn feedback(&self, tenant: &str, id: &str) -> Result<Option<FeedbackRow>> {
        let sql = format!("SELECT {COLUMNS} FROM feedback f WHERE f.tenant_id = $1 AND f.id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader()?)
            .await?;
        row.as_ref().map(feedback).transpose()
    }

    /// A page of a person's own feedback, newest first, after `after`.
    pub async fn feedback_of_author(
        &self,
        tenant: &str,
        author_id: &str,
        after: Option<&FeedbackKey>,
        limit: i64,
    ) -> Result<Vec<FeedbackListRow>> {
        // One group: a literal would be read as a column position in ORDER BY.
        let one_group = "CASE WHEN f.answered_at IS NULL THEN 0 ELSE 0 END";
        self.feedback_list(tenant, "f.author_id", author_id, one_group, after, limit)
            .await
    }

    /// A page of the feedback an agency answers: unanswered first, then newest first.
    pub async fn feedback_of_agency(
        &self,
        tenant: &str,
        agency_id: &str,
        after: Option<&FeedbackKey>,
        limit: i64,
    ) -> Result<Vec<FeedbackListRow>> {
        let answered = "CASE WHEN f.answered_at IS NULL THEN 0 ELSE 1 END";
        self.feedback_list(tenant, "f.agency_id", agency_id, answered, after, limit)
            .await
    }

    /// Feedback where `column` (never user input) equals `value`, ordered by the `group`
    /// expression (never user input), newest first, then id; from after `after` (keyset).
    async fn feedback_list(
        &self,
        tenant: &str,
        column: &'static str,
        value: &str,
        group: &'static str,
        after: Option<&FeedbackKey>,
        limit: i64,
    ) -> Result<Vec<FeedbackListRow>> {
        let resume = if after.is_some() {
            format!(
                " AND ({group} > $4 OR ({group} = $4 AND (f.created_at < $5 \
                 OR (f.created_at = $5 AND f.id > $6))))"
            )
        } else {
            String::new()
        };
        let sql = format!(
            "{LIST_SELECT} WHERE f.tenant_id = $1 AND {column} = $2{resume} \
             ORDER BY {group}, f.created_at DESC, f.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(value).bind(limit);
        if let Some(k) = after {
            q = q.bind(k.group).bind(k.created_at).bind(k.id.as_str());
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter().map(list_row).collect()
    }
}

/// Where a feedback list resumes: its group (agency lists: 0 unanswered, 1 answered; a
/// person's list: 0), the instant it came and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackKey {
    pub group: i64,
    pub created_at: i64,
    pub id: String,
}

/// When one feedback item came and was answered (the 766 feedback indicator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackTiming {
    pub agency_id: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub answer_satisfied: Option<bool>,
}

impl Db {
    /// Feedback received in `[from, to)` (microseconds), of one agency or all.
    pub async fn feedback_timings(
        &self,
        tenant: &str,
        agency_id: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<FeedbackTiming>> {
        let sql = format!(
            "SELECT agency_id, created_at, answered_at, answer_satisfied FROM feedback \
             WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3{}",
            if agency_id.is_some() {
                " AND agency_id = $4"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(from).bind(to);
        if let Some(a) = agency_id {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter()
            .map(|r| {
                Ok(FeedbackTiming {
                    agency_id: col(r, "agency_id")?,
                    created_at: col(r, "created_at")?,
                    answered_at: col(r, "answered_at")?,
                    answer_satisfied: col::<Option<i64>>(r, "answer_satisfied")?.map(|v| v != 0),
                })
            })
            .collect()
    }
}
