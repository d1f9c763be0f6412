//! Group commit for SQLite. SQLite writes through one connection, and a durable commit costs
//! an fsync; one fsync per request caps a node at the disk's commit rate. Here the write
//! transactions of concurrent requests share one database transaction: each runs, in turn,
//! inside a savepoint of it (so a failing one undoes only its own work), and the transaction
//! commits — one fsync — once nobody is waiting to write. [`Tx::commit`](crate::Tx::commit)
//! answers only after that commit: no request is told "saved" before its write is durable.
//!
//! Whoever holds the connection holds the [`Slot`]'s mutex (fair, first come first served).
//! The committer task queues for the mutex when woken; by the time it has it, every request
//! that queued before it has run its savepoint, and all of them land with one `COMMIT`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use crate::{Result, StoreError};

/// What a request waiting for the shared commit is told: its write is durable, or not.
type Outcome = std::result::Result<(), Arc<sqlx::Error>>;

/// The one write connection and the transaction it has open.
pub(crate) struct Slot {
    conn: Option<PoolConnection<Any>>,
    /// Requests whose savepoint was released and that wait for the `COMMIT`.
    waiting: Vec<oneshot::Sender<Outcome>>,
    /// The last holder left its savepoint neither released nor rolled back (its `Tx` was
    /// dropped): the next holder rolls it back first.
    undo: bool,
}

/// The group committer of one SQLite database.
#[derive(Clone)]
pub(crate) struct Batcher {
    pool: AnyPool,
    /// How long a request waits for its turn before it is told the server is busy.
    wait: Duration,
    slot: Arc<Mutex<Slot>>,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batcher")
    }
}

/// A request's turn on the shared transaction: its savepoint is open while this lives.
pub(crate) struct Turn {
    slot: OwnedMutexGuard<Slot>,
    wake: Arc<Notify>,
    /// Whether this turn opened a savepoint (a single statement needs none: SQLite undoes a
    /// failed statement by itself and keeps the transaction).
    savepoint: bool,
    done: bool,
}

impl Batcher {
    /// Starts the committer task (on the current tokio runtime) for the write pool `pool`.
    pub(crate) fn start(pool: AnyPool, wait: Duration) -> Batcher {
        let batcher = Batcher {
            pool,
            wait,
            slot: Arc::new(Mutex::new(Slot {
                conn: None,
                waiting: Vec::new(),
                undo: false,
            })),
            wake: Arc::new(Notify::new()),
        };
        let committer = batcher.clone();
        tokio::spawn(async move { committer.commit_when_woken().await });
        batcher
    }

    /// Waits for this request's turn and opens its savepoint (and the shared transaction, if
    /// none is open); [`StoreError::Busy`] when the turn does not come within the wait.
    pub(crate) async fn turn(&self) -> Result<Turn> {
        self.take_turn(true).await
    }

    /// A turn for one statement, which needs no savepoint of its own.
    pub(crate) async fn single_turn(&self) -> Result<Turn> {
        self.take_turn(false).await
    }

    async fn take_turn(&self, savepoint: bool) -> Result<Turn> {
        let mut slot = tokio::time::timeout(self.wait, self.slot.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Busy)?;
        slot.settle_undo().await;
        if slot.conn.is_none() {
            let mut conn = self.pool.acquire().await?;
            if let Err(e) = conn.execute("BEGIN IMMEDIATE").await {
                // Nothing is open on it; it goes back to the pool.
                return Err(e.into());
            }
            slot.conn = Some(conn);
        }
        let opened = match slot.conn.as_mut() {
            Some(_) if !savepoint => Ok(Default::default()),
            Some(conn) => conn.execute("SAVEPOINT request").await,
            None => unreachable!("opened above"),
        };
        if let Err(e) = opened {
            let why = e.to_string();
            slot.fail_all(e).await;
            return Err(StoreError::Unavailable(sqlx::Error::Protocol(why)));
        }
        Ok(Turn {
            slot,
            wake: self.wake.clone(),
            savepoint,
            done: false,
        })
    }

    async fn commit_when_woken(self) {
        loop {
            self.wake.notified().await;
            let mut slot = self.slot.lock().await;
            slot.settle_undo().await;
            slot.commit().await;
        }
    }
}

impl Slot {
    /// Rolls back a savepoint its owner dropped; if even that fails, the whole shared
    /// transaction is given up and everyone waiting on it told so.
    async fn settle_undo(&mut self) {
        if !std::mem::take(&mut self.undo) {
            return;
        }
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        let undone = conn
            .execute("ROLLBACK TO SAVEPOINT request; RELEASE SAVEPOINT request")
            .await;
        if let Err(e) = undone {
            self.fail_all(e).await;
        }
    }

    /// Commits the shared transaction, if one is open, and tells everyone waiting.
    async fn commit(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        match conn.execute("COMMIT").await {
            Ok(_) => {
                self.conn = None;
                for waiter in self.waiting.drain(..) {
                    let _ = waiter.send(Ok(()));
                }
            }
            Err(e) => self.fail_all(e).await,
        }
    }

    /// The shared transaction is lost (a failed commit, a broken savepoint): it is rolled
    /// back, nobody waiting on it was acknowledged, and each of them gets the error.
    async fn fail_all(&mut self, e: sqlx::Error) {
        tracing::error!(error = %e, waiting = self.waiting.len(), "group commit failed");
        if let Some(mut conn) = self.conn.take()
            && conn.execute("ROLLBACK").await.is_err()
        {
            // Its state is unknown: it must not serve another transaction.
            conn.close_on_drop();
        }
        let e = Arc::new(e);
        for waiter in self.waiting.drain(..) {
            let _ = waiter.send(Err(e.clone()));
        }
    }
}

impl Turn {
    /// The connection the request's statements run on.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        match self.slot.conn.as_mut() {
            Some(conn) => conn,
            None => unreachable!("a turn holds an open transaction"),
        }
    }

    /// Keeps this request's work in the shared transaction and waits until it is durable.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if self.savepoint
            && let Err(e) = self.conn().execute("RELEASE SAVEPOINT request").await
        {
            return Err(e.into()); // dropped: rolled back to the savepoint
        }
        self.done = true;
        let (tell, told) = oneshot::channel();
        self.slot.waiting.push(tell);
        let wake = self.wake.clone();
        drop(self);
        wake.notify_one();
        match told.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(shared_failure(&e)),
            // The committer is gone (the runtime shuts down): not known to be durable.
            Err(_) => Err(StoreError::Unavailable(sqlx::Error::PoolClosed)),
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if !self.done {
            // Undone before anything else runs; the committer ends what others left waiting.
            self.slot.undo = self.savepoint;
            self.wake.notify_one();
        }
    }
}

/// The error a request gets when the commit it shared failed.
fn shared_failure(e: &sqlx::Error) -> StoreError {
    tracing::warn!(error = %e, "this request's write was in a failed group commit");
    StoreError::Unavailable(sqlx::Error::Protocol(format!("group commit failed: {e}")))
}
