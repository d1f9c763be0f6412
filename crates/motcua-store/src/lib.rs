//! Persistence for motcua. One `Db` speaks to SQLite (the embedded default) or PostgreSQL,
//! chosen from the URL at run time; the SQL is shared, and only the migrations differ per backend.
//! Every change to a dossier is written as an event in the same transaction as its state row.

mod calendar;
mod catalog;
mod documents;
mod dossiers;
mod feedback;
mod flags;
mod indices;
mod outbox;
mod payments;
mod people;
mod process;
mod registry_records;
mod reminders;
mod signatures;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use thiserror::Error;

pub use calendar::CalendarOverrideRow;
pub use catalog::{AgencyRow, ProcedureRow};
pub use documents::PersonalDocumentRow;
pub use dossiers::{
    AttachmentRow, DossierListRow, DossierPatch, DossierRow, EventRow, GENESIS_HASH, NewAttachment,
    NewDossier, NewEventRecord, chain_is_intact, event_hash,
};
pub use feedback::{FeedbackListRow, FeedbackRow, FeedbackTiming};
pub use flags::FactFlagRow;
pub use indices::{IndexScope, IndexSums, MonthSums, OpenNow};
pub use outbox::OutboxRow;
pub use payments::{PaymentRow, Settlement};
pub use people::{AccessLogEntry, NewUser, SessionRow, UserRow};
pub use process::{ProcessDefinitionRow, ProcessInstanceRow, ProcessTaskRow};
pub use registry_records::RegistryRecordRow;
pub use reminders::ReminderCounts;
pub use signatures::{AgencyKeyRow, ResultSignatureRow, SignedResult};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Someone else changed the row since it was read.
    #[error("the record was changed concurrently")]
    Conflict,
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
}

pub type Result<T> = std::result::Result<T, StoreError>;

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
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<Db> {
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
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(Duration::from_secs(30))
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
                let write = pool(1).connect_with(options.clone()).await?;
                let read = pool(4).connect_with(options).await?;
                Ok(Db {
                    read,
                    write,
                    backend,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
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

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.write.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// A write transaction: everything done through it lands together on `commit`, or not at all.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }
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
