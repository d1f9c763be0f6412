//! The background jobs of a running server, in one place for `motcua serve` and the tests:
//! notices, payment reconciliation, the pull of dossiers filed on the national portal, the daily
//! reminders, process timers and session housekeeping. Each job is safe
//! to run on several nodes at once (leases, idempotent writes).

use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;

use crate::{App, Result};

/// What one run of the due jobs did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DueJobs {
    /// Outbox messages handled (sent, or failed and rescheduled or given up).
    pub messages: usize,
    /// Gateway payments settled by asking the gateway.
    pub payments_settled: usize,
    /// Process timers fired.
    pub timers_fired: usize,
    /// Dossiers pulled in from the national portal.
    pub portal_dossiers: usize,
    /// Daily reminders sent to agencies.
    pub reminders: usize,
    /// Expired sessions deleted.
    pub sessions_deleted: usize,
    /// The jobs that failed this time (the log says why); the others ran.
    pub failed: Vec<String>,
}

/// Most outbox rounds in one run (a backlog larger than this waits for the next run).
const MAX_ROUNDS: usize = 1000;

impl App {
    /// Runs every background job once, as if its time had come at `at`: the outbox until
    /// nothing is due, payment reconciliation, process timers, the national portal pull, the
    /// daily reminders and session housekeeping. One job that fails (an outside system down)
    /// is logged and named in the answer; the others still run. The workers do the same on
    /// their own clocks; tests and administrators (`POST /api/v1/admin/jobs`) call this instead
    /// of waiting.
    pub async fn run_due_jobs(&self, at: jiff::Timestamp) -> Result<DueJobs> {
        let now = at.as_microsecond();
        let mut done = DueJobs::default();
        self.note(
            &mut done.failed,
            "caches",
            self.refresh_shared_caches().await,
        );
        done.messages = self.note(&mut done.failed, "outbox", self.drain_outbox(now).await);
        done.payments_settled = self.note(
            &mut done.failed,
            "payments",
            self.reconcile_payments_at(now).await,
        );
        done.timers_fired = self.note(
            &mut done.failed,
            "timers",
            self.fire_process_timers(now).await,
        );
        done.portal_dossiers = self.note(
            &mut done.failed,
            "portal_pull",
            self.pull_portal_dossiers().await,
        );
        done.reminders = self.note(
            &mut done.failed,
            "reminders",
            self.send_daily_reminders(at).await,
        );
        // Pulled dossiers and reminders queue messages of their own: sent in this run too.
        done.messages += self.note(&mut done.failed, "outbox", self.drain_outbox(now).await);
        done.sessions_deleted = self.note(
            &mut done.failed,
            "sessions",
            self.purge_expired_sessions().await.map(|n| n as usize),
        );
        Ok(done)
    }

    /// Outbox rounds until one finds less than a full batch due.
    async fn drain_outbox(&self, now: i64) -> Result<usize> {
        let mut handled = 0;
        for _ in 0..MAX_ROUNDS {
            let round = self.deliver_due_messages(now).await?;
            handled += round;
            if round < App::OUTBOX_BATCH {
                break;
            }
        }
        Ok(handled)
    }

    fn note(&self, failed: &mut Vec<String>, job: &'static str, outcome: Result<usize>) -> usize {
        match outcome {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(job, cause = %crate::error::chain(&e), "background job failed");
                failed.push(job.to_string());
                0
            }
        }
    }
}

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
/// How often a node looks whether another changed the calendar or the catalog (well within
/// the second in which every node must see a change).
const SHARED_CACHES_EVERY: Duration = Duration::from_millis(250);
/// How often a node says it is alive (others take it for gone after 10 s of silence).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// Starts every job on the current runtime.
pub fn spawn(app: &App) -> Workers {
    Workers(vec![
        tokio::spawn(deliver_notices(app.clone())),
        tokio::spawn(every(app.clone(), HEARTBEAT_EVERY, "heartbeat", |a| {
            Box::pin(async move { a.heartbeat().await })
        })),
        tokio::spawn(every(
            app.clone(),
            SHARED_CACHES_EVERY,
            "shared caches reloaded",
            |a| Box::pin(async move { a.refresh_shared_caches().await }),
        )),
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
