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
    /// A citizen's documents, newest first.
    pub async fn documents_of(
        &self,
        tenant: &str,
        owner_id: &str,
    ) -> Result<Vec<PersonalDocumentRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM personal_documents WHERE tenant_id = $1 AND owner_id = $2 \
             ORDER BY added_at DESC, id"
        ))
        .bind(tenant)
        .bind(owner_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(document).collect()
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
