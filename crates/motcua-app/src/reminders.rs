//! The daily reminder: once a civil day, each agency's officials get one message saying how many
//! of its dossiers are overdue, due today and due soon, with the most pressing codes, so nothing
//! runs late unseen. (The work list shows the same live; the reminder reaches those who do not
//! open it.) Sent through the outbox like any notice; one per agency and day on any number of
//! nodes.

use motcua_domain::DossierState;
use motcua_domain::urgency::{self, Urgency};
use motcua_store::ReminderCounts;

use crate::views::ts;
use crate::{App, AppError, Result, now_micros};

/// Codes listed in one reminder.
const CODES_LISTED: usize = 10;

impl App {
    /// Sends today's reminders not yet sent; answers how many agencies were reminded.
    pub async fn send_daily_reminders(&self, now: jiff::Timestamp) -> Result<usize> {
        if self.notifier.mailer.is_none() {
            return Ok(0);
        }
        let day = motcua_domain::calendar::local_date(now).to_string();
        let cal = self.calendar();
        let running: Vec<&str> = DossierState::ALL
            .into_iter()
            .filter(|s| s.is_running() || *s == DossierState::ResultReady)
            .map(DossierState::as_str)
            .collect();
        let mut reminded = 0;
        let agencies: Vec<(String, String)> = self
            .catalog()
            .agencies()
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        for (agency_id, agency_name) in agencies {
            if self.db.reminder_sent(&agency_id, &day).await? {
                continue;
            }
            let rows = self
                .db
                .dossiers_of_agency(&self.tenant, &agency_id, &running, 5_000)
                .await?;
            let mut counts = ReminderCounts {
                overdue: 0,
                due_today: 0,
                due_soon: 0,
            };
            let mut pressing = Vec::new();
            for r in &rows {
                let state = DossierState::parse(&r.state).unwrap_or(DossierState::Received);
                match urgency::urgency(&cal, state, r.due_at.map(ts), now) {
                    Urgency::Overdue => counts.overdue += 1,
                    Urgency::DueToday => counts.due_today += 1,
                    Urgency::DueSoon => counts.due_soon += 1,
                    _ => continue,
                }
                if let Some(code) = &r.code {
                    pressing.push(code.clone());
                }
            }
            if counts.overdue + counts.due_today + counts.due_soon == 0 {
                continue;
            }
            pressing.truncate(CODES_LISTED);
            let subject = format!(
                "Nhắc việc {day}: {} hồ sơ quá hạn, {} đến hạn hôm nay, {} sắp đến hạn",
                counts.overdue, counts.due_today, counts.due_soon
            );
            let text = format!(
                "{agency_name}\n\n{subject}.\n\nCác hồ sơ cần xử lý trước: {}.\n\nXem danh sách công việc trên hệ thống một cửa điện tử; với hồ sơ sẽ trễ hạn, gửi phiếu xin lỗi và hẹn lại ngày trả trước ngày hẹn ít nhất 1 ngày.",
                pressing.join(", ")
            );
            let officials = self
                .db
                .officials_of_agency(&self.tenant, &agency_id)
                .await?;
            let mut recipients = Vec::new();
            for o in &officials {
                if let Some(email) = self
                    .profile_of(o)?
                    .and_then(|p| p["email"].as_str().map(str::to_string))
                {
                    recipients.push((o.id.clone(), email));
                }
            }
            let now_us = now_micros();
            let mut tx = self.db.begin().await?;
            if !tx
                .record_reminder(&self.tenant, &agency_id, &day, counts, now_us)
                .await?
            {
                continue;
            }
            for (user_id, to) in recipients {
                let key = format!("reminder:{agency_id}:{day}:{user_id}");
                let row = self.message_row("email", None, key, to, &subject, &text)?;
                tx.enqueue(&self.tenant, &row).await?;
            }
            tx.commit().await.map_err(AppError::from)?;
            self.wake_notifier();
            reminded += 1;
        }
        Ok(reminded)
    }
}
