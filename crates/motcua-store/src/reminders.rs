//! The daily reminders of dossiers due soon and overdue, one per agency and day.

use crate::{Db, Result, Tx};

/// What one agency's reminder counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderCounts {
    pub overdue: i64,
    pub due_today: i64,
    pub due_soon: i64,
}

impl Tx {
    /// Records the agency's reminder of `day`; `false` when it was already sent that day.
    pub async fn record_reminder(
        &mut self,
        tenant: &str,
        agency_id: &str,
        day: &str,
        counts: ReminderCounts,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO reminders (tenant_id, agency_id, day, overdue, due_today, due_soon, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agency_id, day) DO NOTHING",
        )
        .bind(tenant)
        .bind(agency_id)
        .bind(day)
        .bind(counts.overdue)
        .bind(counts.due_today)
        .bind(counts.due_soon)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Db {
    /// Whether the agency's reminder of `day` was sent.
    pub async fn reminder_sent(&self, agency_id: &str, day: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM reminders WHERE agency_id = $1 AND day = $2")
            .bind(agency_id)
            .bind(day)
            .fetch_optional(self.reader()?)
            .await?;
        Ok(row.is_some())
    }
}
