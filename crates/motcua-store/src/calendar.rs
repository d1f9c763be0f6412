//! Calendar overrides: the yearly decisions on days off and days worked in exchange.

use crate::{Db, Result, Tx, col};

/// The name of the calendar in `cache_versions`.
pub const CALENDAR_CACHE: &str = "calendar";

/// One override: a civil date (`YYYY-MM-DD`), `day_off` or `working_day`, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarOverrideRow {
    pub day: String,
    pub kind: String,
    pub name: String,
}

impl Db {
    pub async fn calendar_overrides(&self, tenant: &str) -> Result<Vec<CalendarOverrideRow>> {
        let rows = sqlx::query(
            "SELECT day, kind, name FROM calendar_overrides WHERE tenant_id = $1 ORDER BY day",
        )
        .bind(tenant)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CalendarOverrideRow {
                    day: col(r, "day")?,
                    kind: col(r, "kind")?,
                    name: col(r, "name")?,
                })
            })
            .collect()
    }

    /// Sets (or replaces) the override of one day; every node reloads its calendar.
    pub async fn set_calendar_override(&self, tenant: &str, o: &CalendarOverrideRow) -> Result<()> {
        let mut tx = self.begin_aside().await?;
        sqlx::query(
            "INSERT INTO calendar_overrides (tenant_id, day, kind, name) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
        )
        .bind(tenant)
        .bind(&o.day)
        .bind(&o.kind)
        .bind(&o.name)
        .execute(tx.conn())
        .await?;
        tx.bump_cache_version(tenant, CALENDAR_CACHE).await?;
        tx.commit().await
    }

    /// Removes the override of one day; every node reloads its calendar.
    pub async fn delete_calendar_override(&self, tenant: &str, day: &str) -> Result<()> {
        let mut tx = self.begin_aside().await?;
        sqlx::query("DELETE FROM calendar_overrides WHERE tenant_id = $1 AND day = $2")
            .bind(tenant)
            .bind(day)
            .execute(tx.conn())
            .await?;
        tx.bump_cache_version(tenant, CALENDAR_CACHE).await?;
        tx.commit().await
    }

    /// The version of each shared cache of a tenant.
    pub async fn cache_versions(&self, tenant: &str) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT name, version FROM cache_versions WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_all(self.reader()?)
            .await?;
        rows.iter()
            .map(|r| Ok((col(r, "name")?, col(r, "version")?)))
            .collect()
    }

    /// Raises a shared cache's version on its own (after a change written elsewhere).
    pub async fn bump_cache_version(&self, tenant: &str, name: &str) -> Result<()> {
        let mut tx = self.begin_aside().await?;
        tx.bump_cache_version(tenant, name).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Raises the version of a shared cache with the change that makes it stale.
    pub async fn bump_cache_version(&mut self, tenant: &str, name: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO cache_versions (tenant_id, name, version) VALUES ($1, $2, 1) \
             ON CONFLICT (tenant_id, name) DO UPDATE SET version = cache_versions.version + 1",
        )
        .bind(tenant)
        .bind(name)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
