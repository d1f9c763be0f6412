//! Idempotency keys. A request that carries one runs inside [`with_claim`]; the use case's
//! transaction claims the key with [`Tx::claim_request`] before it commits, so the effect and
//! the claim land together or not at all, and two requests with the same key cannot both write.
//! The caller stores the answer once the request is done ([`Db::finish_request`]); a retry gets
//! it again. A request that wrote in several transactions notes what a retry may resume from
//! ([`note_resource`]) before its first one commits.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::{Db, Result, StoreError, Tx, col};

/// The key of the request being handled, and what became of it.
#[derive(Debug)]
pub struct Claim {
    pub tenant: String,
    pub owner: String,
    pub key: String,
    pub request_hash: String,
    pub created_at: i64,
    /// The node that handles the request.
    pub node: String,
    state: Mutex<ClaimState>,
}

#[derive(Debug, Default, Clone)]
struct ClaimState {
    /// A transaction of this request committed the claim (or an earlier attempt did).
    claimed: bool,
    /// Another request with the same key claimed it first; this one wrote nothing.
    lost: bool,
    resource: Option<String>,
}

impl Claim {
    /// A key not seen before, handled by `node`.
    pub fn new(
        tenant: &str,
        owner: &str,
        key: &str,
        request_hash: &str,
        node: &str,
        now: i64,
    ) -> Arc<Claim> {
        Arc::new(Claim {
            tenant: tenant.into(),
            owner: owner.into(),
            key: key.into(),
            request_hash: request_hash.into(),
            created_at: now,
            node: node.into(),
            state: Mutex::default(),
        })
    }

    /// A key an earlier attempt claimed and did not answer: its effects stay written, and the
    /// request resumes from `resource` if it noted one.
    pub fn resumed(row: &IdempotencyRow, node: &str) -> Arc<Claim> {
        Arc::new(Claim {
            tenant: row.tenant_id.clone(),
            owner: row.owner_id.clone(),
            key: row.idem_key.clone(),
            request_hash: row.request_hash.clone(),
            created_at: row.created_at,
            node: node.into(),
            state: Mutex::new(ClaimState {
                claimed: true,
                lost: false,
                resource: row.resource.clone(),
            }),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut ClaimState) -> T) -> T {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    pub(crate) fn mark_claimed(&self) {
        self.with(|s| s.claimed = true);
    }

    pub fn is_claimed(&self) -> bool {
        self.with(|s| s.claimed)
    }

    pub fn is_lost(&self) -> bool {
        self.with(|s| s.lost)
    }
}

tokio::task_local! {
    static CLAIM: Arc<Claim>;
}

/// Runs `work` as the request that carries `claim`.
pub async fn with_claim<F: Future>(claim: Arc<Claim>, work: F) -> F::Output {
    CLAIM.scope(claim, work).await
}

/// The claim of the current task, to carry into a task it spawns.
pub fn current_claim() -> Option<Arc<Claim>> {
    CLAIM.try_with(Arc::clone).ok()
}

/// Runs `work` with `claim`, if there is one.
pub async fn carrying<F: Future>(claim: Option<Arc<Claim>>, work: F) -> F::Output {
    match claim {
        Some(c) => with_claim(c, work).await,
        None => work.await,
    }
}

/// What an interrupted earlier attempt of this request noted to resume from.
pub fn claimed_resource() -> Option<String> {
    CLAIM
        .try_with(|c| c.with(|s| s.claimed.then(|| s.resource.clone()).flatten()))
        .ok()
        .flatten()
}

/// Notes what a retry of this request may resume from (before the first commit).
pub fn note_resource(resource: &str) {
    let _ = CLAIM.try_with(|c| {
        c.with(|s| {
            if !s.claimed {
                s.resource = Some(resource.to_string());
            }
        })
    });
}

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRow {
    pub tenant_id: String,
    pub owner_id: String,
    pub idem_key: String,
    pub request_hash: String,
    pub state: String,
    pub resource: Option<String>,
    pub status: Option<i64>,
    pub response_sealed: Option<String>,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    /// The node that claimed it.
    pub node_id: Option<String>,
}

impl Tx {
    /// Claims the current request's key in this transaction (once per request; a no-op
    /// without a key). Another request that claimed it first makes this one a conflict, and
    /// the transaction writes nothing.
    pub async fn claim_request(&mut self) -> Result<()> {
        let Some(claim) = current_claim() else {
            return Ok(());
        };
        if claim.is_claimed() {
            return Ok(());
        }
        let resource = claim.with(|s| s.resource.clone());
        let done = sqlx::query(
            "INSERT INTO idempotency_keys (tenant_id, owner_id, idem_key, request_hash, state, \
             resource, status, response_sealed, created_at, ended_at, node_id) \
             VALUES ($1, $2, $3, $4, 'claimed', $5, NULL, NULL, $6, NULL, $7) \
             ON CONFLICT (tenant_id, owner_id, idem_key) DO NOTHING",
        )
        .bind(&claim.tenant)
        .bind(&claim.owner)
        .bind(&claim.key)
        .bind(&claim.request_hash)
        .bind(&resource)
        .bind(claim.created_at)
        .bind(&claim.node)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            claim.with(|s| s.lost = true);
            return Err(StoreError::Conflict);
        }
        self.claimed = Some(claim);
        Ok(())
    }
}

fn row(r: &sqlx::any::AnyRow) -> Result<IdempotencyRow> {
    Ok(IdempotencyRow {
        tenant_id: col(r, "tenant_id")?,
        owner_id: col(r, "owner_id")?,
        idem_key: col(r, "idem_key")?,
        request_hash: col(r, "request_hash")?,
        state: col(r, "state")?,
        resource: col(r, "resource")?,
        status: col(r, "status")?,
        response_sealed: col(r, "response_sealed")?,
        created_at: col(r, "created_at")?,
        ended_at: col(r, "ended_at")?,
        node_id: col(r, "node_id")?,
    })
}

impl Db {
    pub async fn request_key(
        &self,
        tenant: &str,
        owner: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRow>> {
        let r = sqlx::query(
            "SELECT tenant_id, owner_id, idem_key, request_hash, state, resource, status, \
             response_sealed, created_at, ended_at, node_id FROM idempotency_keys \
             WHERE tenant_id = $1 AND owner_id = $2 AND idem_key = $3",
        )
        .bind(tenant)
        .bind(owner)
        .bind(key)
        .fetch_optional(self.reader()?)
        .await?;
        r.as_ref().map(row).transpose()
    }

    /// Stores the answer of the request that carries `claim` (claimed in a transaction or
    /// not: a request that wrote without one is still answered the same way next time).
    pub async fn finish_request(
        &self,
        claim: &Claim,
        status: u16,
        response_sealed: &str,
        now: i64,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, owner_id, idem_key, request_hash, state, \
             resource, status, response_sealed, created_at, ended_at) \
             VALUES ($1, $2, $3, $4, 'done', NULL, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, owner_id, idem_key) DO UPDATE SET state = 'done', \
             status = $5, response_sealed = $6, ended_at = $8 \
             WHERE idempotency_keys.state <> 'done'",
            )
            .bind(&claim.tenant)
            .bind(&claim.owner)
            .bind(&claim.key)
            .bind(&claim.request_hash)
            .bind(i64::from(status))
            .bind(response_sealed)
            .bind(claim.created_at)
            .bind(now),
        )
        .await?;
        Ok(())
    }

    /// The request that claimed `claim` ended without an answer to keep (a failure after its
    /// first commit): a retry may come at once.
    pub async fn interrupt_request(&self, claim: &Claim, now: i64) -> Result<()> {
        self.write_one(
            sqlx::query(
                "UPDATE idempotency_keys SET ended_at = $1 WHERE tenant_id = $2 AND owner_id = $3 \
             AND idem_key = $4 AND state = 'claimed'",
            )
            .bind(now)
            .bind(&claim.tenant)
            .bind(&claim.owner)
            .bind(&claim.key),
        )
        .await?;
        Ok(())
    }

    /// Forgets keys older than `before` (a day is the usual promise).
    pub async fn purge_request_keys(&self, before: i64) -> Result<u64> {
        let done = self
            .write_one(
                sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before),
            )
            .await?;
        Ok(done.rows_affected())
    }
}

impl Db {
    /// This node is alive at `now` (its row is made on first call).
    pub async fn node_alive(&self, id: &str, now: i64) -> Result<()> {
        self.write_one(
            sqlx::query(
                "INSERT INTO nodes (id, started_at, seen_at) VALUES ($1, $2, $2) \
             ON CONFLICT (id) DO UPDATE SET seen_at = $2",
            )
            .bind(id)
            .bind(now),
        )
        .await?;
        Ok(())
    }

    /// When the node was last seen alive; `None` for one never seen (or long forgotten).
    pub async fn node_seen_at(&self, id: &str) -> Result<Option<i64>> {
        let seen: Option<i64> = sqlx::query_scalar("SELECT seen_at FROM nodes WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader()?)
            .await?;
        Ok(seen)
    }

    /// Forgets nodes not seen since `before`.
    pub async fn forget_nodes(&self, before: i64) -> Result<u64> {
        let done = self
            .write_one(sqlx::query("DELETE FROM nodes WHERE seen_at < $1").bind(before))
            .await?;
        Ok(done.rows_affected())
    }
}
