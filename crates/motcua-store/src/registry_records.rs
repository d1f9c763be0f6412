//! Components fetched from national databases for a dossier.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRecordRow {
    pub id: String,
    pub dossier_id: String,
    pub component_index: i64,
    pub source: String,
    pub status: String,
    pub record_sealed: Option<String>,
    pub fetched_at: i64,
}

fn record(r: &AnyRow) -> Result<RegistryRecordRow> {
    Ok(RegistryRecordRow {
        id: col(r, "id")?,
        dossier_id: col(r, "dossier_id")?,
        component_index: col(r, "component_index")?,
        source: col(r, "source")?,
        status: col(r, "status")?,
        record_sealed: col(r, "record_sealed")?,
        fetched_at: col(r, "fetched_at")?,
    })
}

impl Tx {
    pub async fn insert_registry_record(
        &mut self,
        tenant: &str,
        r: &RegistryRecordRow,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO registry_records (id, tenant_id, dossier_id, component_index, source, status, \
             record_sealed, fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&r.id)
        .bind(tenant)
        .bind(&r.dossier_id)
        .bind(r.component_index)
        .bind(&r.source)
        .bind(&r.status)
        .bind(&r.record_sealed)
        .bind(r.fetched_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Db {
    /// The newest record of each fetched component of a dossier (a resubmission fetches again).
    pub async fn registry_records(&self, dossier_id: &str) -> Result<Vec<RegistryRecordRow>> {
        let rows = sqlx::query(
            "SELECT id, dossier_id, component_index, source, status, record_sealed, fetched_at \
             FROM registry_records WHERE dossier_id = $1 ORDER BY component_index, fetched_at DESC, id",
        )
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        let mut out: Vec<RegistryRecordRow> = Vec::new();
        for r in rows.iter().map(record) {
            let r = r?;
            if out
                .last()
                .is_none_or(|l| l.component_index != r.component_index)
            {
                out.push(r);
            }
        }
        Ok(out)
    }
}
