//! The calendar in force: Vietnam's defaults plus the overrides an administrator entered.

use std::sync::Arc;

use motcua_domain::Role;
use motcua_domain::calendar::{Calendar, Holiday, Overrides};
use motcua_store::CalendarOverrideRow;

use crate::{App, AppError, CurrentUser, Result};

impl App {
    /// The calendar as it is now; cheap (an `Arc` clone).
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds the calendar from the stored overrides.
    pub async fn reload_calendar(&self) -> Result<()> {
        let mut overrides = Overrides::default();
        for row in self.db.calendar_overrides(&self.tenant).await? {
            let Ok(date) = row.day.parse() else { continue };
            let h = Holiday {
                date,
                name: row.name,
            };
            match row.kind.as_str() {
                "working_day" => overrides.working_days.push(h),
                _ => overrides.days_off.push(h),
            }
        }
        let mut calendar = Calendar::vietnam(&overrides);
        if let Some(cutoff) = self.cutoff {
            calendar.cutoff = cutoff;
        }
        let fresh = Arc::new(calendar);
        match self.calendar.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// The due instant an apology's new date means: the close of that working day.
    pub fn due_instant_on(&self, date: &str) -> Result<jiff::Timestamp> {
        let date: jiff::civil::Date = date
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Ngày hẹn trả mới không hợp lệ (năm-tháng-ngày)."))?;
        let calendar = self.calendar();
        if !calendar.is_working_day(date) {
            return Err(AppError::invalid("Ngày hẹn trả mới phải là ngày làm việc."));
        }
        jiff::civil::DateTime::from_parts(date, calendar.hours.afternoon.1)
            .to_zoned(motcua_domain::calendar::vietnam_tz())
            .map(|z| z.timestamp())
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The stored overrides, for the administrator's page.
    pub async fn calendar_overrides(&self, user: &CurrentUser) -> Result<Vec<CalendarOverrideRow>> {
        require_admin(user)?;
        Ok(self.db.calendar_overrides(&self.tenant).await?)
    }

    /// Administrators: removes the override of `day`, back to the default.
    pub async fn clear_calendar_day(&self, user: &CurrentUser, day: &str) -> Result<()> {
        require_admin(user)?;
        self.db
            .delete_calendar_override(&self.tenant, day.trim())
            .await?;
        self.refresh_shared_caches().await.map(|_| ())
    }

    /// Administrators: marks `day` as a day off (`working = false`) or a working day.
    pub async fn set_calendar_day(
        &self,
        user: &CurrentUser,
        day: &str,
        working: bool,
        name: &str,
    ) -> Result<()> {
        if user.role != Role::Admin {
            return Err(AppError::Forbidden(
                "Chỉ quản trị hệ thống mới sửa lịch làm việc.".into(),
            ));
        }
        let date: jiff::civil::Date = day
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Ngày không hợp lệ (năm-tháng-ngày)."))?;
        let name = motcua_domain::text::clean(name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "Vui lòng nhập tên ngày (tối đa 200 ký tự).",
            ));
        }
        let row = CalendarOverrideRow {
            day: date.to_string(),
            kind: if working { "working_day" } else { "day_off" }.to_string(),
            name,
        };
        self.db.set_calendar_override(&self.tenant, &row).await?;
        self.refresh_shared_caches().await.map(|_| ())
    }
}

fn require_admin(user: &CurrentUser) -> Result<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Chỉ quản trị hệ thống mới sửa lịch làm việc.".into(),
        ))
    }
}

impl App {
    /// Reloads what another node (or this one) changed since it was read: the calendar, the
    /// catalog. Every node looks several times a second; answers how many were reloaded.
    pub async fn refresh_shared_caches(&self) -> Result<usize> {
        let mut reloaded = 0;
        for (name, version) in self.db.cache_versions(&self.tenant).await? {
            let seen = match self.cache_seen.lock() {
                Ok(s) => s.get(&name).copied(),
                Err(poisoned) => poisoned.into_inner().get(&name).copied(),
            };
            if seen == Some(version) {
                continue;
            }
            match name.as_str() {
                motcua_store::CALENDAR_CACHE => self.reload_calendar().await?,
                crate::catalog::CATALOG_CACHE => self.reload_catalog().await?,
                _ => continue,
            }
            match self.cache_seen.lock() {
                Ok(mut s) => s.insert(name, version),
                Err(poisoned) => poisoned.into_inner().insert(name, version),
            };
            reloaded += 1;
        }
        Ok(reloaded)
    }
}
