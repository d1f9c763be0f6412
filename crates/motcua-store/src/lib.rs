//! Persistence for motcua. One `Db` speaks to SQLite (the embedded default) or PostgreSQL,
//! chosen from the URL at run time; the SQL is shared, and only the migrations differ per backend.
//! Every change to a dossier is written as an event in the same transaction as its state row.

mod batch;
mod calendar;
mod catalog;
mod documents;
mod dossiers;
mod feedback;
mod flags;
mod guard;
mod idempotency;
mod indices;
mod lists;
mod outbox;
mod payments;
mod people;
mod process;
mod rebuild;
mod registry_records;
mod reminders;
mod signatures;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use thiserror::Error;

pub use calendar::{CALENDAR_CACHE, CalendarOverrideRow};
pub use catalog::{AgencyRow, ProcedureRow};
pub use documents::{DocumentKey, DocumentListRow, PersonalDocumentRow};
pub use dossiers::{
    AttachmentRow, ChainBreak, DossierListRow, DossierPatch, DossierRow, EventRow, GENESIS_HASH,
    NewAttachment, NewDossier, NewEventRecord, PublicTrack, chain_is_intact, event_hash,
    first_break,
};
pub use feedback::{FeedbackKey, FeedbackListRow, FeedbackRow, FeedbackTiming};
pub use flags::FactFlagRow;
pub use guard::{outside_transaction, watched};
pub use idempotency::{
    Claim, IdempotencyRow, carrying, claimed_resource, current_claim, note_resource, with_claim,
};
pub use indices::{IndexScope, IndexSums, MonthSums, OpenNow};
pub use lists::{Classes, QueueCounts, QueueFilter, QueueKey, QueueScope, RecentKey, TextMatch};
pub use outbox::{DeadLetterRow, OutboxRow};
pub use payments::{PaymentRow, Settlement};
pub use people::{AccessLogEntry, NewUser, SessionRow, UserRow};
pub use process::{ProcessDefinitionRow, ProcessInstanceRow, ProcessTaskRow};
pub use rebuild::Rebuilt;
pub use registry_records::RegistryRecordRow;
pub use reminders::ReminderCounts;
pub use signatures::{AgencyKeyRow, ResultSignatureRow, SignedResult};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database")]
    Sqlx(#[source] sqlx::Error),
    /// Every connection was busy for the whole wait: the server is saturated; try again soon.
    #[error("no database connection free within the wait")]
    Busy,
    /// The database cannot be reached now (down, restarting, the network); nothing was written.
    #[error("database unreachable")]
    Unavailable(#[source] sqlx::Error),
    /// A second connection or an outside call was attempted while this task holds a transaction
    /// open (see the `guard` module); a bug, refused before it can freeze the pool.
    #[error("{0} while a transaction is open")]
    InsideTransaction(&'static str),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Someone else changed the row since it was read.
    #[error("the record was changed concurrently")]
    Conflict,
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e)
            }
            sqlx::Error::Database(d) if is_unavailable_code(d.code().as_deref()) => {
                StoreError::Unavailable(e)
            }
            // Two transactions crossed (PostgreSQL chose one to abort): as ordinary as a
            // concurrent update, and as safe to try again.
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01" | "40001")) => {
                StoreError::Conflict
            }
            _ => StoreError::Sqlx(e),
        }
    }
}

/// PostgreSQL's codes for a server that is shutting down, starting, or out of connections
/// (class 08 connection exceptions, 53300, 57P01–57P03); SQLite's busy and locked.
fn is_unavailable_code(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        c.starts_with("08") || matches!(c, "53300" | "57P01" | "57P02" | "57P03" | "5" | "6")
    })
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// How many connections a node keeps and how long a request waits for one.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Connections to PostgreSQL (SQLite: readers; it always writes through one connection).
    pub max_connections: u32,
    /// A request that finds no free connection within this wait is answered 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. For SQLite, writes go through one connection so that they queue in the
/// process instead of failing with SQLITE_BUSY; reads use a pool of their own (WAL).
#[derive(Debug, Clone)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    /// SQLite's group committer (PostgreSQL commits concurrent transactions together itself).
    batch: Option<batch::Batcher>,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, PoolOptions::default()).await
    }

    /// Connects with pools sized and timed by `pool`.
    pub async fn connect_with(url: &str, pool: PoolOptions) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let options = AnyConnectOptions::from_str(url)?;
        match backend {
            Backend::Sqlite => {
                let pool_size = pool.max_connections;
                let wait = pool.acquire_timeout;
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(wait)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                // A local file does not go stale: no ping before each batch takes the writer.
                let write = pool(1)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                let read = pool(pool_readers(pool_size)).connect_with(options).await?;
                Ok(Db {
                    read,
                    batch: Some(batch::Batcher::start(write.clone(), wait)),
                    write,
                    backend,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(pool.max_connections.max(1))
                    .acquire_timeout(pool.acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    batch: None,
                    backend,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Brings the schema up to date; safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        let mut conn = self.write.acquire().await?;
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&mut *conn).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&mut *conn).await?,
        }
        Ok(())
    }

    /// Answers when the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.reader()?).await?;
        Ok(())
    }

    /// Starts a transaction of housekeeping beside a request's effect: it never claims the
    /// request's idempotency key.
    pub async fn begin_aside(&self) -> Result<Tx> {
        let mut tx = self.begin().await?;
        tx.aside = true;
        Ok(tx)
    }

    /// Starts a write transaction; refused while this task holds one already.
    pub async fn begin(&self) -> Result<Tx> {
        guard::outside_transaction("a second transaction")?;
        let held = guard::Held::new();
        let open = match &self.batch {
            Some(batch) => Open::Shared(batch.turn().await?),
            None => Open::Own(self.write.begin().await?),
        };
        Ok(Tx {
            open,
            _held: held,
            claimed: None,
            aside: false,
            after_commit: Vec::new(),
            outbox: Vec::new(),
        })
    }

    /// The pool reads go through, refused while this task holds a transaction open.
    pub(crate) fn reader(&self) -> Result<&AnyPool> {
        guard::outside_transaction("a read through another connection")?;
        Ok(&self.read)
    }

    /// The pool for a read that must see every write acknowledged so far: PostgreSQL's
    /// writers (a reader of a replica could lag); on SQLite any reader, since an acknowledged
    /// write is committed. Refused while this task holds a transaction open.
    pub(crate) fn fresh_reader(&self) -> Result<&AnyPool> {
        guard::outside_transaction("a read through another connection")?;
        Ok(match self.batch {
            Some(_) => &self.read,
            None => &self.write,
        })
    }

    /// Runs one write statement on its own, outside any request's transaction: committed by
    /// itself on PostgreSQL, in the shared group commit on SQLite; answered once durable.
    pub(crate) async fn write_one<'q>(
        &self,
        statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult> {
        guard::outside_transaction("a write through another connection")?;
        match &self.batch {
            None => Ok(statement.execute(&self.write).await?),
            Some(batch) => {
                let mut turn = batch.single_turn().await?;
                let done = statement.execute(turn.conn()).await?;
                turn.commit().await?;
                Ok(done)
            }
        }
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// A write transaction: everything done through it lands together on `commit`, or not at all.
pub struct Tx {
    open: Open,
    _held: guard::Held,
    /// The request key this transaction claims (see [`Tx::claim_request`]).
    claimed: Option<std::sync::Arc<Claim>>,
    /// Housekeeping beside the request's effect (a signing key made on first use, an account
    /// made for the applicant): it claims no request key.
    aside: bool,
    /// Run once the commit is durable (an in-memory cache told what changed).
    after_commit: Vec<Box<dyn FnOnce() + Send>>,
    /// Messages queued, not yet written (see [`Tx::enqueue`]).
    outbox: Vec<(String, OutboxRow)>,
}

impl Tx {
    /// Runs `f` after this transaction commits (not at all if it does not).
    pub fn after_commit(&mut self, f: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(f));
    }

    /// Commits; the first transaction of a request that carries an idempotency key claims
    /// the key with its effect (see the `idempotency` module).
    pub async fn commit(mut self) -> Result<()> {
        self.flush_outbox().await?;
        if !self.aside {
            self.claim_request().await?;
        }
        match self.open {
            Open::Own(tx) => tx.commit().await?,
            Open::Shared(turn) => turn.commit().await?,
        }
        if let Some(claim) = self.claimed {
            claim.mark_claimed();
        }
        for f in self.after_commit {
            f();
        }
        Ok(())
    }
}

/// A transaction of its own (PostgreSQL), or a turn in SQLite's shared one (see `batch`).
enum Open {
    Own(sqlx::Transaction<'static, sqlx::Any>),
    Shared(batch::Turn),
}

impl Tx {
    /// The connection this transaction's statements run on.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        match &mut self.open {
            Open::Own(tx) => tx,
            Open::Shared(turn) => turn.conn(),
        }
    }
}

/// SQLite readers for a pool of `max` (WAL lets them read beside the one writer).
fn pool_readers(max: u32) -> u32 {
    max.clamp(1, 4)
}

/// Reads a row's column, mapping errors into `StoreError`.
pub(crate) fn col<'r, T>(row: &'r sqlx::any::AnyRow, name: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(name)?)
}

/// Creates an empty PostgreSQL database next to the one `base_url` names and returns its URL,
/// so that every test run starts clean (tests only; the name is random).
pub async fn create_scratch_postgres_database(base_url: &str) -> Result<String> {
    sqlx::any::install_default_drivers();
    let name = format!("motcua_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(base_url).await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    <sqlx::AnyConnection as sqlx::Connection>::close(conn).await?;
    let (prefix, _) = base_url
        .split_once('?')
        .map(|(a, b)| (a, Some(b)))
        .unwrap_or((base_url, None));
    let cut = prefix.rfind('/').ok_or(StoreError::UnsupportedUrl)?;
    Ok(format!("{}/{}", &prefix[..cut], name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_failures_are_told_apart_and_keep_their_cause() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = StoreError::from(sqlx::Error::Io(refused));
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        let cause = std::error::Error::source(&e).map(|s| s.to_string());
        assert!(cause.is_some_and(|c| c.contains("refused")));
        assert!(matches!(
            StoreError::from(sqlx::Error::PoolTimedOut),
            StoreError::Busy
        ));
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::Sqlx(_)
        ));
    }
}
