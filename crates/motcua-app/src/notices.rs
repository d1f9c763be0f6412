//! Telling the applicant by e-mail and SMS. A notice is queued in the outbox in the same
//! transaction as the event it tells of (so an event is never told twice nor lost), then a
//! worker delivers it with retries and backoff. Recipient and text are sealed at rest and never
//! logged.

use std::sync::Arc;
use std::time::Duration;

use motcua_domain::EventKind;
use motcua_domain::notice::{self, NoticeFacts};
use motcua_integrations::IntegrationError;
use motcua_integrations::mail::Mailer;
use motcua_integrations::portal::{PortalClient, PortalDossier};
use motcua_integrations::sms::SmsClient;
use motcua_store::{DossierRow, OutboxRow, Tx};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::views::ts;
use crate::{App, AppError, CurrentUser, Integrations, ProcedureView, Result, new_id, now_micros};

/// Messages leased in one round.
const BATCH: i64 = 20;
/// How long a worker holds a lease (longer than any send may take).
const LEASE: Duration = Duration::from_secs(120);
/// Attempts before a message is given up (about a day of backoff).
const MAX_ATTEMPTS: i64 = 12;

/// The clients that carry notices, and the bell that wakes the worker.
#[derive(Clone, Default)]
pub(crate) struct Notifier {
    pub(crate) mailer: Option<Mailer>,
    sms: Option<SmsClient>,
    pub(crate) portal: Option<PortalClient>,
    wake: Arc<Notify>,
    /// The first retry waits this long; each next one twice as long.
    retry_base: Duration,
    /// How often dossiers filed on the national portal are pulled.
    pub(crate) pull_every: Duration,
    /// How often the daily reminders are looked at (each is sent once a day).
    pub(crate) remind_every: Duration,
}

impl Notifier {
    pub(crate) fn new(i: &Integrations) -> Result<Notifier> {
        let config = |e: IntegrationError| AppError::Internal(format!("notices: {e}"));
        Ok(Notifier {
            mailer: i
                .mail
                .as_ref()
                .map(Mailer::with_config)
                .transpose()
                .map_err(config)?,
            sms: i
                .sms_url
                .as_deref()
                .map(|u| SmsClient::new(u, Duration::from_secs(10)))
                .transpose()
                .map_err(config)?,
            portal: i
                .portal_url
                .as_deref()
                .map(|u| PortalClient::new(u, Duration::from_secs(10)))
                .transpose()
                .map_err(config)?,
            wake: Arc::default(),
            retry_base: i.retry_base.unwrap_or(Duration::from_secs(2)),
            pull_every: i.portal_pull_every.unwrap_or(Duration::from_secs(30)),
            remind_every: i.reminders_every.unwrap_or(Duration::from_secs(15 * 60)),
        })
    }
}

/// A message given up after its last try, as an administrator sees it (never its content).
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterView {
    pub id: String,
    /// `portal`, `email` or `sms`.
    pub channel: String,
    pub channel_label: &'static str,
    pub dossier_code: Option<String>,
    pub attempts: i64,
    pub last_error: String,
    pub failed_at: jiff::Timestamp,
    pub created_at: jiff::Timestamp,
}

fn channel_label(channel: &str) -> &'static str {
    match channel {
        "portal" => "Cổng Dịch vụ công quốc gia",
        "email" => "Thư điện tử",
        "sms" => "Tin nhắn SMS",
        "refund" => "Hoàn tiền qua cổng thanh toán",
        _ => "Khác",
    }
}

/// What a queued message holds (sealed).
#[derive(Serialize, Deserialize)]
struct Payload {
    to: String,
    subject: String,
    text: String,
}

/// How long to wait after the `attempts`-th failure: `base`, twice that, four times, … up to
/// 1,024 times `base` (about half an hour for the default 2 s).
fn backoff(base: Duration, attempts: i64) -> Duration {
    base * (1u32 << (attempts.clamp(1, 11) - 1) as u32)
}

/// The applicant's facts that leave the system with a notice or the portal sync, read once per
/// event (and only when something is configured to receive them).
pub(crate) struct Applicant {
    pub name: String,
    pub personal_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The facts of a just-written event that a notice may name.
pub(crate) struct Told<'a> {
    pub kind: EventKind,
    /// The new event's sequence number: with the channel, the message's idempotency key.
    pub seq: i64,
    pub code: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub due_at: Option<i64>,
}

impl App {
    /// An outbox row carrying one e-mail or SMS (sealed), due now.
    pub(crate) fn message_row(
        &self,
        channel: &str,
        dossier_id: Option<&str>,
        idempotency_key: String,
        to: String,
        subject: &str,
        text: &str,
    ) -> Result<OutboxRow> {
        let payload = serde_json::to_string(&Payload {
            to,
            subject: subject.to_string(),
            text: text.to_string(),
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let now = now_micros();
        Ok(OutboxRow {
            id: new_id(),
            channel: channel.into(),
            dossier_id: dossier_id.map(str::to_string),
            idempotency_key,
            payload_sealed: self.vault.seal_text(&payload),
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            failed_at: None,
            last_error: None,
            created_at: now,
        })
    }

    /// Queues the applicant's notices of an event, inside the event's transaction; `true` when
    /// something was queued (then wake the worker after the commit).
    pub(crate) async fn queue_notices(
        &self,
        tx: &mut Tx,
        d: &DossierRow,
        p: &ProcedureView,
        applicant: Option<&Applicant>,
        told: Told<'_>,
    ) -> Result<bool> {
        let n = &self.notifier;
        let Some(applicant) = applicant.filter(|_| n.mailer.is_some() || n.sms.is_some()) else {
            return Ok(false);
        };
        let Some(code) = told.code.or(d.code.as_deref()) else {
            return Ok(false);
        };
        let due = told.due_at.map(|t| {
            motcua_domain::calendar::local_date(ts(t))
                .strftime("%d/%m/%Y")
                .to_string()
        });
        let facts = NoticeFacts {
            code,
            procedure: &p.name,
            reason: told.reason,
            due: due.as_deref(),
        };
        let Some(message) = notice::for_applicant(told.kind, facts) else {
            return Ok(false);
        };
        let mut queued = false;
        for (channel, to, enabled) in [
            ("email", applicant.email.clone(), n.mailer.is_some()),
            ("sms", applicant.phone.clone(), n.sms.is_some()),
        ] {
            let (Some(to), true) = (to, enabled) else {
                continue;
            };
            let row = self.message_row(
                channel,
                Some(&d.id),
                format!("{}:{}:{channel}", d.id, told.seq),
                to,
                &message.subject,
                &message.text,
            )?;
            tx.enqueue(&self.tenant, &row).await?;
            queued = true;
        }
        Ok(queued)
    }

    /// The applicant's facts for what leaves the system about `d`; `None` when no outside
    /// channel (mail, SMS, portal) is configured, so nothing is read for nothing.
    pub(crate) async fn applicant_for_outside(&self, d: &DossierRow) -> Result<Option<Applicant>> {
        let n = &self.notifier;
        if n.mailer.is_none() && n.sms.is_none() && n.portal.is_none() {
            return Ok(None);
        }
        let Some(user) = self.db.user(&d.applicant_id).await? else {
            return Ok(None);
        };
        let profile = self.profile_of(&user)?.unwrap_or_default();
        let field = |key: &str| {
            profile[key]
                .as_str()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(Some(Applicant {
            name: self.open_text(&user.display_name_sealed)?,
            personal_id: field("personal_id").unwrap_or_default(),
            email: field("email"),
            phone: field("phone"),
        }))
    }

    /// Wakes the delivery worker (after a commit that queued notices).
    pub(crate) fn wake_notifier(&self) {
        self.notifier.wake.notify_one();
    }

    /// Waits until messages were queued, or `at_most` (at most the first retry's wait) passed.
    pub async fn notices_queued(&self, at_most: Duration) {
        let wait = at_most.min(self.notifier.retry_base);
        let _ = tokio::time::timeout(wait, self.notifier.wake.notified()).await;
    }

    /// Sends what is due now, one batch; returns how many messages it handled (sent or not),
    /// so a full batch means more may be waiting.
    pub async fn deliver_notices(&self) -> Result<usize> {
        self.deliver_due_messages(now_micros()).await
    }

    /// Sends one batch of what is due at `now`. Each message succeeds or fails on its own: one
    /// that cannot be opened or sent records its attempt and error and waits its backoff (or
    /// is given up after its last try) while the others of the batch go out. The deliveries
    /// are recorded together at the end, in one transaction (a crash before it sends them
    /// again when their lease ends; the receivers know them by their idempotency keys).
    pub(crate) async fn deliver_due_messages(&self, now: i64) -> Result<usize> {
        let lease = now + LEASE.as_micros() as i64;
        let batch = self.db.claim_due_messages(now, lease, BATCH).await?;
        let handled = batch.len();
        let (mut delivered, mut refold) = (Vec::new(), Vec::new());
        for m in batch {
            match self.deliver_one(&m, now).await {
                Ok(true) => {
                    // A dossier counts as synced once every portal message about it arrived.
                    if let (Some(d), "portal") = (&m.dossier_id, m.channel.as_str()) {
                        refold.push(d.clone());
                    }
                    delivered.push(m.id);
                }
                Ok(false) => {}
                // Its lease runs out and it is tried again; the rest of the batch goes on.
                Err(e) => {
                    tracing::warn!(channel = %m.channel, cause = %crate::error::chain(&e), "outbox message: outcome not recorded")
                }
            }
        }
        let done_at = now_micros().max(now);
        self.db
            .messages_delivered(&delivered, done_at, &refold)
            .await?;
        Ok(handled)
    }

    /// Sends one message; answers whether it arrived (a failure is recorded here).
    async fn deliver_one(&self, m: &OutboxRow, now: i64) -> Result<bool> {
        let outcome = match self.open_text(&m.payload_sealed) {
            Ok(payload) if m.channel == crate::payments::REFUND_CHANNEL => {
                self.give_back(&m.idempotency_key, &payload).await
            }
            Ok(payload) => self.send(&m.channel, &m.idempotency_key, &payload).await,
            Err(_) => Err(IntegrationError::Invalid(
                "nội dung tin trong hàng đợi không giải mã được".into(),
            )),
        };
        let Err(e) = outcome else {
            return Ok(true);
        };
        let done_at = now_micros().max(now);
        let attempts = m.attempts + 1;
        let retry_at = (e.is_retryable() && attempts < MAX_ATTEMPTS)
            .then(|| now + backoff(self.notifier.retry_base, attempts).as_micros() as i64);
        // The error text names no recipient (the clients keep it out).
        tracing::warn!(channel = %m.channel, attempts, retry = retry_at.is_some(), error = %e, "notice not delivered");
        self.db
            .message_failed(&m.id, done_at, retry_at, &e.to_string())
            .await?;
        Ok(false)
    }

    /// Administrators: a page of the messages given up after their last try, newest first.
    pub async fn dead_letters(
        &self,
        user: &CurrentUser,
        page: &crate::PageRequest,
    ) -> Result<crate::Page<DeadLetterView>> {
        Self::administrator(user)?;
        let limit = page.size()?;
        let after = match page.parts(2)? {
            Some(p) => Some((crate::dossiers::lists::number(&p[0])?, p[1].clone())),
            None => None,
        };
        let mut rows = self
            .db
            .dead_letters(
                &self.tenant,
                after.as_ref().map(|(at, id)| (*at, id.as_str())),
                limit + 1,
            )
            .await?;
        let next = crate::dossiers::lists::cut_page(&mut rows, limit, |r| {
            vec![r.failed_at.to_string(), r.id.clone()]
        });
        let items = rows
            .into_iter()
            .map(|r| DeadLetterView {
                channel_label: channel_label(&r.channel),
                id: r.id,
                channel: r.channel,
                dossier_code: r.dossier_code,
                attempts: r.attempts,
                last_error: r.last_error.unwrap_or_default(),
                failed_at: ts(r.failed_at),
                created_at: ts(r.created_at),
            })
            .collect();
        Ok(crate::Page { items, next })
    }

    /// Administrators: sends a given-up message again (one more try, now).
    pub async fn retry_dead_letter(&self, user: &CurrentUser, id: &str) -> Result<()> {
        Self::administrator(user)?;
        if !self
            .db
            .retry_message(&self.tenant, id, now_micros())
            .await?
        {
            return Err(AppError::NotFound);
        }
        tracing::info!(message = %id, "dead letter queued again by an administrator");
        self.wake_notifier();
        Ok(())
    }

    /// Administrators: runs every background job now instead of waiting for the workers, and
    /// tries at once every message that waits out a backoff (after an outage is mended).
    pub async fn run_jobs_now(&self, user: &CurrentUser) -> Result<crate::workers::DueJobs> {
        Self::administrator(user)?;
        let now = jiff::Timestamp::now();
        self.db.expedite_messages(now.as_microsecond()).await?;
        self.run_due_jobs(now).await
    }

    /// Every message still being tried becomes due at `now` (tests, and [`App::run_jobs_now`]).
    pub async fn expedite_messages(&self, now: jiff::Timestamp) -> Result<u64> {
        Ok(self.db.expedite_messages(now.as_microsecond()).await?)
    }

    fn administrator(user: &CurrentUser) -> Result<()> {
        if user.role != motcua_domain::Role::Admin {
            return Err(AppError::Forbidden(
                "Chỉ quản trị hệ thống làm việc này.".into(),
            ));
        }
        Ok(())
    }

    /// Messages one round of delivery takes.
    pub const OUTBOX_BATCH: usize = BATCH as usize;

    async fn send(
        &self,
        channel: &str,
        key: &str,
        payload: &str,
    ) -> std::result::Result<(), IntegrationError> {
        let missing = || IntegrationError::Config(format!("kênh {channel} chưa được cấu hình"));
        let bad = |e: serde_json::Error| IntegrationError::Invalid(e.to_string());
        match channel {
            "email" => {
                let p: Payload = serde_json::from_str(payload).map_err(bad)?;
                let mailer = self.notifier.mailer.as_ref().ok_or_else(missing)?;
                mailer.send(&p.to, &p.subject, &p.text).await
            }
            "sms" => {
                let p: Payload = serde_json::from_str(payload).map_err(bad)?;
                let sms = self.notifier.sms.as_ref().ok_or_else(missing)?;
                sms.send(&p.to, &p.text).await.map(|_| ())
            }
            "portal" => {
                let m: PortalDossier = serde_json::from_str(payload).map_err(bad)?;
                let portal = self.notifier.portal.as_ref().ok_or_else(missing)?;
                portal.sync(key, &m).await
            }
            _ => Err(missing()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_stays() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1), Duration::from_secs(2));
        assert_eq!(backoff(base, 2), Duration::from_secs(4));
        assert_eq!(backoff(base, 11), Duration::from_secs(2048));
        assert_eq!(backoff(base, 40), Duration::from_secs(2048));
    }
}
