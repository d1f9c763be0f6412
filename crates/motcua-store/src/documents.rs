//! The personal document store.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalDocumentRow {
    pub id: String,
    pub owner_id: String,
    pub kind: String,
    pub title_sealed: String,
    pub attachment_id: String,
    pub source_dossier_id: String,
    pub sha256: String,
    pub added_at: i64,
}

/// A line of a citizen's store: the document and the code of its dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentListRow {
    pub document: PersonalDocumentRow,
    pub source_code: Option<String>,
}

/// Where a list of documents resumes: the instant the last one was added and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentKey {
    pub added_at: i64,
    pub id: String,
}

const COLUMNS: &str =
    "id, owner_id, kind, title_sealed, attachment_id, source_dossier_id, sha256, added_at";

fn document(r: &AnyRow) -> Result<PersonalDocumentRow> {
    Ok(PersonalDocumentRow {
        id: col(r, "id")?,
        owner_id: col(r, "owner_id")?,
        kind: col(r, "kind")?,
        title_sealed: col(r, "title_sealed")?,
        attachment_id: col(r, "attachment_id")?,
        source_dossier_id: col(r, "source_dossier_id")?,
        sha256: col(r, "sha256")?,
        added_at: col(r, "added_at")?,
    })
}

impl Tx {
    /// Keeps a document; the same file already kept for its owner is left as it is.
    pub async fn keep_document(&mut self, tenant: &str, d: &PersonalDocumentRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO personal_documents (id, tenant_id, owner_id, kind, title_sealed, attachment_id, \
             source_dossier_id, sha256, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (owner_id, sha256) DO NOTHING",
        )
        .bind(&d.id)
        .bind(tenant)
        .bind(&d.owner_id)
        .bind(&d.kind)
        .bind(&d.title_sealed)
        .bind(&d.attachment_id)
        .bind(&d.source_dossier_id)
        .bind(&d.sha256)
        .bind(d.added_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Takes a dossier's results out of its applicant's store (a correction replaced them).
    pub async fn forget_results_of_dossier(&mut self, dossier_id: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM personal_documents WHERE source_dossier_id = $1 AND kind = 'result'",
        )
        .bind(dossier_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Db {
    /// A page of a citizen's documents, newest first, from after `after` (keyset), each with
    /// the code of the dossier it came from.
    pub async fn documents_of(
        &self,
        tenant: &str,
        owner_id: &str,
        after: Option<&DocumentKey>,
        limit: i64,
    ) -> Result<Vec<DocumentListRow>> {
        let resume = match after {
            Some(_) => " AND (p.added_at < $4 OR (p.added_at = $4 AND p.id > $5))",
            None => "",
        };
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, d.code AS source_code FROM personal_documents p \
             LEFT JOIN dossiers d ON d.id = p.source_dossier_id \
             WHERE p.tenant_id = $1 AND p.owner_id = $2{resume} \
             ORDER BY p.added_at DESC, p.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(owner_id).bind(limit);
        if let Some(k) = after {
            q = q.bind(k.added_at).bind(k.id.as_str());
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter()
            .map(|r| {
                Ok(DocumentListRow {
                    document: document(r)?,
                    source_code: col(r, "source_code")?,
                })
            })
            .collect()
    }

    /// One of the owner's documents; `None` when it is not theirs.
    pub async fn document_of(
        &self,
        tenant: &str,
        owner_id: &str,
        id: &str,
    ) -> Result<Option<PersonalDocumentRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM personal_documents WHERE tenant_id = $1 AND owner_id = $2 \
             AND id = $3"
        ))
        .bind(tenant)
        .bind(owner_id)
        .bind(id)
        .fetch_optional(self.reader()?)
        .await?;
        row.as_ref().map(document).transpose()
    }

    /// Removes a document from its owner's store (the dossier keeps its file); `false` when it
    /// is not theirs.
    pub async fn forget_document(&self, owner_id: &str, id: &str) -> Result<bool> {
        let done = self
            .write_one(
                sqlx::query("DELETE FROM personal_documents WHERE id = $1 AND owner_id = $2")
                    .bind(id)
                    .bind(owner_id),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
