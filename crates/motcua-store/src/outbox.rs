//! The transactional outbox: messages queued with the event they tell of, leased and delivered
//! by a worker.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub dossier_id: Option<String>,
    pub idempotency_key: String,
    pub payload_sealed: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// A message given up after its last try (no payload: that stays sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterRow {
    pub id: String,
    pub channel: String,
    pub dossier_code: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub failed_at: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "id, channel, dossier_id, idempotency_key, payload_sealed, attempts, \
     next_attempt_at, delivered_at, failed_at, last_error, created_at";

fn outbox(r: &AnyRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: col(r, "id")?,
        channel: col(r, "channel")?,
        dossier_id: col(r, "dossier_id")?,
        idempotency_key: col(r, "idempotency_key")?,
        payload_sealed: col(r, "payload_sealed")?,
        attempts: col(r, "attempts")?,
        next_attempt_at: col(r, "next_attempt_at")?,
        delivered_at: col(r, "delivered_at")?,
        failed_at: col(r, "failed_at")?,
        last_error: col(r, "last_error")?,
        created_at: col(r, "created_at")?,
    })
}

impl Tx {
    /// Queues a message; a second one with the same idempotency key is ignored. The messages
    /// of a transaction are written together, in one statement, before anything in it reads
    /// the outbox and at the latest at its commit.
    pub async fn enqueue(&mut self, tenant: &str, m: &OutboxRow) -> Result<()> {
        self.outbox.push((tenant.to_string(), m.clone()));
        Ok(())
    }

    /// Writes the messages queued so far (see [`Tx::enqueue`]).
    pub(crate) async fn flush_outbox(&mut self) -> Result<()> {
        let mut queued = std::mem::take(&mut self.outbox);
        let mut seen = std::collections::HashSet::new();
        queued.retain(|(_, m)| seen.insert(m.idempotency_key.clone()));
        // 8 parameters a row: far below either backend's limit per statement.
        for chunk in queued.chunks(100) {
            let rows = (0..chunk.len())
                .map(|i| {
                    let p = |k: usize| format!("${}", i * 8 + k);
                    format!(
                        "({}, {}, {}, {}, {}, {}, 0, {}, NULL, NULL, NULL, NULL, {})",
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5),
                        p(6),
                        p(7),
                        p(8)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO outbox (id, tenant_id, channel, dossier_id, idempotency_key, \
                 payload_sealed, attempts, next_attempt_at, claimed_until, delivered_at, failed_at, \
                 last_error, created_at) VALUES {rows} ON CONFLICT (idempotency_key) DO NOTHING"
            );
            let mut q = sqlx::query(&sql);
            for (tenant, m) in chunk {
                q = q
                    .bind(&m.id)
                    .bind(tenant)
                    .bind(&m.channel)
                    .bind(&m.dossier_id)
                    .bind(&m.idempotency_key)
                    .bind(&m.payload_sealed)
                    .bind(m.next_attempt_at)
                    .bind(m.created_at);
            }
            q.execute(self.conn()).await?;
        }
        Ok(())
    }
}

impl Db {
    /// Leases up to `limit` messages due at `now` until `lease_until`, in one statement;
    /// another worker skips them meanwhile. Portable, no SKIP LOCKED: on PostgreSQL a second
    /// claimer waits for the first one's rows, then finds them leased (the outer conditions
    /// are checked again) and leaves them.
    pub async fn claim_due_messages(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        const DUE: &str = "delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until < $2)";
        let sql = format!(
            "UPDATE outbox SET claimed_until = $1 WHERE {DUE} AND id IN \
             (SELECT id FROM outbox WHERE {DUE} ORDER BY next_attempt_at LIMIT $3) \
             RETURNING {COLUMNS}"
        );
        let claim = sqlx::query(&sql).bind(lease_until).bind(now).bind(limit);
        let mut tx = self.begin_aside().await?;
        let rows = claim.fetch_all(tx.conn()).await?;
        tx.commit().await?;
        let mut claimed = rows.iter().map(outbox).collect::<Result<Vec<_>>>()?;
        // RETURNING keeps no order: oldest due first, as queued.
        claimed.sort_by(|a, b| {
            (a.next_attempt_at, a.created_at, &a.id).cmp(&(b.next_attempt_at, b.created_at, &b.id))
        });
        Ok(claimed)
    }

    /// Records deliveries, in one transaction; `refold`: the dossiers whose figures count
    /// them (national portal messages: a dossier counts as synced once every one about it
    /// arrived).
    pub async fn messages_delivered(
        &self,
        ids: &[String],
        now: i64,
        refold: &[String],
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_aside().await?;
        // Bounded chunks: a statement takes at most a few hundred parameters.
        for chunk in ids.chunks(200) {
            let marks = (2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, \
                 claimed_until = NULL, last_error = NULL WHERE id IN ({marks})"
            );
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(tx.conn()).await?;
        }
        let mut dossiers: Vec<&String> = refold.iter().collect();
        // One order for every refold: two workers never wait on each other in a circle.
        dossiers.sort();
        dossiers.dedup();
        for dossier in dossiers {
            tx.refresh_dossier_index(dossier).await?;
        }
        tx.commit().await
    }

    /// Records a failed attempt: try again at `retry_at`, or give up when it is `None`.
    pub async fn message_failed(
        &self,
        id: &str,
        now: i64,
        retry_at: Option<i64>,
        error: &str,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = $1, \
             next_attempt_at = COALESCE($2, next_attempt_at), \
             failed_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE id = $4",
            )
            .bind(error)
            .bind(retry_at)
            .bind(now)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// A page of the messages given up after their last try (dead letters), newest first,
    /// from after `after` (keyset: when it was given up, its id), with the code of their
    /// dossier, for an administrator to look at and send again.
    pub async fn dead_letters(
        &self,
        tenant: &str,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<DeadLetterRow>> {
        let resume = match after {
            Some(_) => " AND (o.failed_at < $3 OR (o.failed_at = $3 AND o.id > $4))",
            None => "",
        };
        let sql = format!(
            "SELECT o.id, o.channel, d.code AS dossier_code, o.attempts, o.last_error, \
             o.failed_at, o.created_at FROM outbox o LEFT JOIN dossiers d ON d.id = o.dossier_id \
             WHERE o.tenant_id = $1 AND o.failed_at IS NOT NULL AND o.delivered_at IS NULL{resume} \
             ORDER BY o.failed_at DESC, o.id LIMIT $2"
        );
        let mut q = sqlx::query(&sql).bind(tenant).bind(limit);
        if let Some((failed_at, id)) = after {
            q = q.bind(failed_at).bind(id);
        }
        let rows = q.fetch_all(self.reader()?).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadLetterRow {
                    id: col(r, "id")?,
                    channel: col(r, "channel")?,
                    dossier_code: col(r, "dossier_code")?,
                    attempts: col(r, "attempts")?,
                    last_error: col(r, "last_error")?,
                    failed_at: col(r, "failed_at")?,
                    created_at: col(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Makes every message still being tried due at `now` (those waiting out a backoff are
    /// tried at once); dead letters stay as they are. Returns how many were waiting.
    pub async fn expedite_messages(&self, now: i64) -> Result<u64> {
        let done = self
            .write_one(
                sqlx::query(
                    "UPDATE outbox SET next_attempt_at = $1 WHERE delivered_at IS NULL \
             AND failed_at IS NULL AND next_attempt_at > $1",
                )
                .bind(now),
            )
            .await?;
        Ok(done.rows_affected())
    }

    /// Puts a dead letter back in the queue, due at `now`; `false` when it is not one (already
    /// delivered, still being tried, or another tenant's).
    pub async fn retry_message(&self, tenant: &str, id: &str, now: i64) -> Result<bool> {
        let done = self.write_one(sqlx::query(
            "UPDATE outbox SET failed_at = NULL, claimed_until = NULL, next_attempt_at = $1 \
             WHERE id = $2 AND tenant_id = $3 AND failed_at IS NOT NULL AND delivered_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(tenant)
        )
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How a channel stands: (all messages, delivered, given up, oldest undelivered `created_at`).
    pub async fn outbox_stats(
        &self,
        tenant: &str,
        channel: &str,
    ) -> Result<(i64, i64, i64, Option<i64>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, \
             SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS delivered, \
             SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END) AS failed, \
             MIN(CASE WHEN delivered_at IS NULL THEN created_at END) AS oldest \
             FROM outbox WHERE tenant_id = $1 AND channel = $2",
        )
        .bind(tenant)
        .bind(channel)
        .fetch_one(self.reader()?)
        .await?;
        let total: i64 = col(&row, "total")?;
        let delivered: Option<i64> = col(&row, "delivered")?;
        let failed: Option<i64> = col(&row, "failed")?;
        let oldest: Option<i64> = col(&row, "oldest")?;
        Ok((total, delivered.unwrap_or(0), failed.unwrap_or(0), oldest))
    }

    /// A dossier's messages, oldest first.
    pub async fn messages_of_dossier(&self, dossier_id: &str) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE dossier_id = $1 ORDER BY created_at, id"
        ))
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(outbox).collect()
    }
}
