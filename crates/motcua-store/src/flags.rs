//! Citizens' reports that a registry fact about them is wrong, and their correction requests.

use sqlx::any::AnyRow;

use crate::{Db, Result, col};

#[derive(Debug, Clone)]
pub struct FactFlagRow {
    pub id: String,
    pub user_id: String,
    pub dossier_id: Option<String>,
    pub fact_key: String,
    pub recorded_sealed: String,
    pub claimed_sealed: String,
    pub note_sealed: Option<String>,
    pub created_at: i64,
    pub registry_ticket: Option<String>,
    pub sent_at: Option<i64>,
    pub attempts: i64,
}

const COLUMNS: &str = "id, user_id, dossier_id, fact_key, recorded_sealed, claimed_sealed, \
     note_sealed, created_at, registry_ticket, sent_at, attempts";

fn flag(r: &AnyRow) -> Result<FactFlagRow> {
    Ok(FactFlagRow {
        id: col(r, "id")?,
        user_id: col(r, "user_id")?,
        dossier_id: col(r, "dossier_id")?,
        fact_key: col(r, "fact_key")?,
        recorded_sealed: col(r, "recorded_sealed")?,
        claimed_sealed: col(r, "claimed_sealed")?,
        note_sealed: col(r, "note_sealed")?,
        created_at: col(r, "created_at")?,
        registry_ticket: col(r, "registry_ticket")?,
        sent_at: col(r, "sent_at")?,
        attempts: col(r, "attempts")?,
    })
}

impl Db {
    pub async fn insert_fact_flag(&self, tenant: &str, f: &FactFlagRow) -> Result<()> {
        self.write_one(sqlx::query(
            "INSERT INTO fact_flags (id, tenant_id, user_id, dossier_id, fact_key, recorded_sealed, \
             claimed_sealed, note_sealed, created_at, registry_ticket, sent_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 0)",
        )
        .bind(&f.id)
        .bind(tenant)
        .bind(&f.user_id)
        .bind(&f.dossier_id)
        .bind(&f.fact_key)
        .bind(&f.recorded_sealed)
        .bind(&f.claimed_sealed)
        .bind(&f.note_sealed)
        .bind(f.created_at)
        )
        .await?;
        Ok(())
    }

    /// A person's flags, newest first.
    pub async fn fact_flags_of(&self, tenant: &str, user_id: &str) -> Result<Vec<FactFlagRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM fact_flags WHERE tenant_id = $1 AND user_id = $2 \
             ORDER BY created_at DESC LIMIT 100"
        ))
        .bind(tenant)
        .bind(user_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(flag).collect()
    }

    /// Flags not yet accepted by the registry, oldest first.
    pub async fn unsent_fact_flags(&self, tenant: &str, limit: i64) -> Result<Vec<FactFlagRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM fact_flags WHERE tenant_id = $1 AND sent_at IS NULL \
             ORDER BY created_at LIMIT $2"
        ))
        .bind(tenant)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(flag).collect()
    }

    /// Records one attempt to send a flag; with a ticket, the registry accepted it.
    pub async fn record_fact_flag_attempt(
        &self,
        id: &str,
        ticket: Option<&str>,
        at: i64,
    ) -> Result<()> {
        self.write_one(sqlx::query(
            "UPDATE fact_flags SET attempts = attempts + 1, registry_ticket = COALESCE($2, registry_ticket), \
             sent_at = CASE WHEN $2 IS NULL THEN sent_at ELSE $3 END WHERE id = $1",
        )
        .bind(id)
        .bind(ticket)
        .bind(at)
        )
        .await?;
        Ok(())
    }
}
