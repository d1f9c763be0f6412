//! The use cases of motcua, shared by the web pages and the JSON API: sign in, find a procedure,
//! file a dossier, act on it, follow it. Each use case checks who may call it before it reads.

mod calendar;
mod catalog;
mod documents;
mod dossiers;
mod error;
mod feedback;
mod fetched;
mod idempotency;
mod identity;
mod indices;
mod integrity;
mod mydata;
mod notices;
mod payments;
mod portal;
mod process;
mod registry;
mod reminders;
mod results;
mod seed;
mod views;
pub mod workers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use motcua_domain::calendar::Calendar;
use motcua_files::FileStore;
use motcua_store::Db;
use motcua_vault::Vault;

pub use catalog::{Catalog, CatalogAnswer, ProcedureFilter, ProcedureView};
pub use documents::DocumentView;
pub use dossiers::{
    ApplicantInput, BulkOutcome, DEFAULT_PAGE, LoadRow, LoadView, MAX_BULK, MAX_PAGE, Page,
    PageRequest,
};
pub use error::{AppError, chain as error_chain};
pub use feedback::{CauseView, FeedbackInput, FeedbackTarget, FeedbackView};
pub use fetched::FetchedComponent;
pub use idempotency::{KeptAnswer, KeyedRequest};
pub use identity::{CurrentUser, Session};
pub use indices::{Figures, IndexQuery, MonthFigures, RankedAgency};
pub use integrity::{IntegrityProblem, IntegrityReport};
pub use motcua_domain as domain;
pub use motcua_files::FileError;
pub use motcua_integrations::mail::{MailConfig, MailSecurity};
pub use motcua_integrations::payment::SIGNATURE_HEADER as PAYMENT_SIGNATURE_HEADER;
pub use motcua_store::{CalendarOverrideRow, PoolOptions, watched};
pub use motcua_store::{Claim, carrying, claimed_resource, current_claim, with_claim};
pub use mydata::{FactFlagView, MyData};
pub use notices::DeadLetterView;
pub use payments::{FeeView, NoticeOutcome, PaymentView, ReceiptView};
pub use portal::SyncStatus;
pub use process::{
    MAX_BPMN_BYTES, ProcessModel, ProcessVersionView, ProcessView, StepView,
    prepare as prepare_process, problems_error,
};
pub use registry::IdentityPreview;
pub use results::{FileCheckView, SignedResultView, VerificationView};
pub use seed::{DEMO_PASSWORD, DemoAccount, SeedReport};
pub use views::{
    AccessView, AttachmentView, DossierLine, DossierView, EventView, IdentityFact, PublicStatus,
    QueueFilter, QueueView,
};

pub type Result<T> = std::result::Result<T, AppError>;

/// The one tenant the demo and a single-province deployment use.
pub const DEFAULT_TENANT: &str = "demo";

/// Where motcua keeps its state.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Folder for the SQLite file, the master key and the attachments.
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<String>,
    /// Master key as 64 hex characters; default: `DATA/master.key`, created on first start.
    pub master_key_hex: Option<String>,
    /// What arrives after this local time is handled from the next working day (default 15:00,
    /// Decree 61/2018 art. 18).
    pub cutoff: Option<jiff::civil::Time>,
    /// The outside systems motcua is connected to.
    pub integrations: Integrations,
    /// Database connections and how long a request waits for one before it is answered 503.
    pub pool: PoolOptions,
    /// Where attachments, results and slips are kept: `file:///path` or
    /// `s3://bucket?endpoint=…`; default the `files` folder in `data_dir`. Nodes that share a
    /// database share this too.
    pub files_url: Option<String>,
    /// The object store's access key and secret key (else `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`).
    pub files_keys: Option<(String, String)>,
}

/// Where the outside systems answer; each one left out is simply not used (the demo points them
/// at the built-in simulators, `motcua sim`).
#[derive(Debug, Clone, Default)]
pub struct Integrations {
    /// The national population registry (once-only identity facts).
    pub registry_url: Option<String>,
    /// The payment gateway's root address.
    pub gateway_url: Option<String>,
    /// Who we are to the gateway.
    pub merchant_id: Option<String>,
    /// Signs merchant requests and the gateway's and the bank's notices.
    pub payment_secret: Option<String>,
    /// How the gateway, the bank and browsers coming back from the gateway reach this server
    /// (e.g. `https://dichvucong.thainguyen.gov.vn`).
    pub public_url: Option<String>,
    /// The SMS gateway (brandname SMS) for notices.
    pub sms_url: Option<String>,
    /// The mail server for notices.
    pub mail: Option<MailConfig>,
    /// The national public service portal's sync API.
    pub portal_url: Option<String>,
    /// The first retry of an undelivered outbox message waits this long (default 2 s).
    pub retry_base: Option<std::time::Duration>,
    /// How often dossiers filed on the national portal are pulled (default 30 s).
    pub portal_pull_every: Option<std::time::Duration>,
    /// How often the daily reminders to officials are looked at (default 15 min; each agency
    /// is reminded once a civil day).
    pub reminders_every: Option<std::time::Duration>,
}

/// The running application: database, files, keys, calendar and the catalog in memory.
/// Cloned for every request (axum's state), so a clone is one reference count.
#[derive(Clone)]
pub struct App(Arc<AppInner>);

impl std::ops::Deref for App {
    type Target = AppInner;

    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// What every clone of [`App`] shares.
pub struct AppInner {
    db: Db,
    files: FileStore,
    vault: Arc<Vault>,
    calendar: Arc<RwLock<Arc<Calendar>>>,
    tenant: String,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    cutoff: Option<jiff::civil::Time>,
    /// Process versions parsed once (they never change once stored).
    processes: process::ModelCache,
    registry: Option<motcua_integrations::registry::RegistryClient>,
    lookups: registry::LookupCache,
    payments: payments::PaymentSettings,
    notifier: notices::Notifier,
    /// The version of each shared cache this node holds (see `refresh_shared_caches`).
    cache_seen: Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
    /// This process among the nodes sharing the database, drawn at start.
    node_id: Arc<str>,
    /// What every dossier event sets off, registered once (see `dossiers::funnel`).
    reactions: &'static [dossiers::funnel::Reaction],
    /// Public status answers of the last moment (see `dossiers::status_cache`).
    statuses: dossiers::status_cache::StatusCache,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "App({:?}, tenant {})", self.db.backend(), self.tenant)
    }
}

/// The SQLite URL for the embedded database inside `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("motcua.db").display())
}

impl App {
    /// Opens (and on first start creates) the data folder, connects and migrates the database.
    pub async fn open(config: &Config) -> Result<App> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            AppError::Internal(format!("data folder {}: {e}", config.data_dir.display()))
        })?;
        let vault = Arc::new(
            match &config.master_key_hex {
                Some(hex) => Vault::from_hex(hex),
                None => Vault::load_or_create(&config.data_dir.join("master.key")),
            }
            .map_err(|e| AppError::Internal(e.to_string()))?,
        );
        let url = config
            .database_url
            .clone()
            .unwrap_or_else(|| sqlite_url(&config.data_dir));
        motcua_integrations::veto_outbound_calls_when(|| {
            motcua_store::outside_transaction("a call to an outside system").is_err()
        });
        let db = Db::connect_with(&url, config.pool).await?;
        db.migrate().await?;
        let files = match &config.files_url {
            Some(url) => FileStore::open(
                url,
                config
                    .files_keys
                    .as_ref()
                    .map(|(a, s)| (a.as_str(), s.as_str())),
                vault.clone(),
            )
            .map_err(|e| AppError::Internal(e.to_string()))?,
            None => FileStore::local(&config.data_dir.join("files"), vault.clone())?,
        };
        let app = App(Arc::new(AppInner {
            db,
            files,
            vault,
            calendar: Arc::new(RwLock::new(Arc::new(Calendar::default()))),
            tenant: DEFAULT_TENANT.to_string(),
            catalog: Arc::new(RwLock::new(Arc::new(Catalog::default()))),
            cutoff: config.cutoff,
            processes: Default::default(),
            registry: registry::connect(config.integrations.registry_url.as_deref())?,
            lookups: Default::default(),
            payments: payments::PaymentSettings::new(&config.integrations)?,
            notifier: notices::Notifier::new(&config.integrations)?,
            cache_seen: Default::default(),
            node_id: Arc::from(new_id()),
            reactions: dossiers::funnel::REACTIONS,
            statuses: Default::default(),
        }));
        app.heartbeat().await?;
        app.reload_catalog().await?;
        app.reload_calendar().await?;
        // What was just read is at least as new as the versions now stored.
        app.refresh_shared_caches().await?;
        // People from before search by name had its index (once, in batches).
        while app.index_names(500).await? > 0 {}
        Ok(app)
    }

    /// Whether this node can serve now: the database answers and the file store takes files,
    /// each within `wait`; the cause of each failure, for the log and for `/readyz`.
    pub async fn readiness(&self, wait: std::time::Duration) -> Readiness {
        let database = match tokio::time::timeout(wait, self.db.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(error::chain(&e)),
            Err(_) => Err(format!("no answer within {} ms", wait.as_millis())),
        };
        let files = match tokio::time::timeout(wait, self.files.probe()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(error::chain(&e)),
            Err(_) => Err(format!("no answer within {} ms", wait.as_millis())),
        };
        Readiness { database, files }
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

impl App {
    /// This node is alive (every few seconds, from the workers).
    pub async fn heartbeat(&self) -> Result<usize> {
        self.db.node_alive(&self.node_id, now_micros()).await?;
        Ok(0)
    }
}

/// What `/readyz` reports: each dependency this node needs, and why it fails if it does.
#[derive(Debug, Clone)]
pub struct Readiness {
    pub database: std::result::Result<(), String>,
    pub files: std::result::Result<(), String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database.is_ok() && self.files.is_ok()
    }
}

/// Now, in the store's unit (microseconds since the epoch, UTC).
pub(crate) fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
