//! The background jobs of a running server, in one place for `motcua serve` and the tests:
//! notices, payment reconciliation, the pull of dossiers filed on the national portal, the daily
//! reminders, process timers and session housekeeping. Each job is safe
//! to run on several nodes at once (leases, idempotent writes).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::App;

/// The running jobs; dropping this stops them.
pub struct Workers(Vec<JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for job in &self.0 {
            job.abort();
        }
    }
}

/// How often a job with nothing to wake it looks again.
const NOTICES_EVERY: Duration = Duration::from_secs(2);
const RECONCILE_EVERY: Duration = Duration::from_secs(60);
const TIMERS_EVERY: Duration = Duration::from_secs(60);
const SESSIONS_EVERY: Duration = Duration::from_secs(3600);

/// Starts every job on the current runtime.
pub fn spawn(app: &App) -> Workers {
    Workers(vec![
        tokio::spawn(deliver_notices(app.clone())),
        tokio::spawn(every(
            app.clone(),
            RECONCILE_EVERY,
            "payments reconciled",
            |a| Box::pin(async move { a.reconcile_payments().await }),
        )),
        tokio::spawn(every(
            app.clone(),
            TIMERS_EVERY,
            "process timers fired",
            |a| {
                Box::pin(async move {
                    let now = jiff::Timestamp::now().as_microsecond();
                    a.fire_process_timers(now).await
                })
            },
        )),
        tokio::spawn(every(
            app.clone(),
            app.notifier.pull_every,
            "dossiers pulled from the national portal",
            |a| Box::pin(async move { a.pull_portal_dossiers().await }),
        )),
        tokio::spawn(every(
            app.clone(),
            app.notifier.remind_every,
            "agencies reminded of dossiers due soon and overdue",
            |a| Box::pin(async move { a.send_daily_reminders(jiff::Timestamp::now()).await }),
        )),
        tokio::spawn(every(
            app.clone(),
            SESSIONS_EVERY,
            "expired sessions deleted",
            |a| Box::pin(async move { a.purge_expired_sessions().await.map(|n| n as usize) }),
        )),
    ])
}

type Job =
    fn(App) -> std::pin::Pin<Box<dyn std::future::Future<Output = crate::Result<usize>> + Send>>;

async fn every(app: App, period: Duration, what: &'static str, job: Job) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match crate::watched(job(app.clone())).await {
            Ok(n) if n > 0 => tracing::info!(count = n, "{what}"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "background job failed: {what}"),
        }
    }
}

/// Delivers the outbox (notices, portal sync) as soon as something is queued, batch after batch
/// while batches come full, and retries what is due every few seconds.
async fn deliver_notices(app: App) {
    loop {
        match crate::watched(app.deliver_notices()).await {
            Ok(n) if n >= App::OUTBOX_BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not deliver the outbox"),
        }
        app.notices_queued(NOTICES_EVERY).await;
    }
}
