//! Calendar overrides: the yearly decisions on days off and days worked in exchange.

use crate::{Db, Result, col};

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

    /// Sets (or replaces) the override of one day.
    pub async fn set_calendar_override(&self, tenant: &str, o: &CalendarOverrideRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_overrides (tenant_id, day, kind, name) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
        )
        .bind(tenant)
        .bind(&o.day)
        .bind(&o.kind)
        .bind(&o.name)
        .execute(self.writer()?)
        .await?;
        Ok(())
    }

    pub async fn delete_calendar_override(&self, tenant: &str, day: &str) -> Result<()> {
        sqlx::query("DELETE FROM calendar_overrides WHERE tenant_id = $1 AND day = $2")
            .bind(tenant)
            .bind(day)
            .execute(self.writer()?)
            .await?;
        Ok(())
    }
}
