//! Built-in simulators of the systems motcua talks to, for tests and demos: the population
//! registry, a payment gateway, a bank paying VietQR codes, an SMS gateway (all over HTTP) and a
//! mail server (real SMTP). Each can be told to misbehave (`PUT /sim/faults/{service}`), and the
//! misbehaviour is the same for the same seed.
//!
//! Routes (JSON unless said):
//! - `GET /sim/healthz`; `GET /sim/faults`; `PUT /sim/faults/{service}` with
//!   `{latency_ms, error_rate, timeout_rate, duplicate_rate, drop_rate}` (service: registry,
//!   gateway, bank, sms, mail, portal or all); `DELETE /sim/faults`.
//! - `GET /registry/people/{personal_id}` (header `X-Purpose`); `GET /registry/lookups`;
//!   `POST /registry/corrections`; `GET /registry/corrections`.
//! - `POST /gateway/payments`; `GET /gateway/payments/{session_id}`; `GET|POST
//!   /gateway/pay/{session_id}` (HTML); `GET /gateway/callbacks`.
//! - `POST /bank/transfer {payload}`.
//! - `POST /sms/send {to, text}`; `GET /sms/messages?to=`.
//! - `GET /mail/messages?to=` (what the SMTP listener received).
//! - `POST /portal/dossiers` (sync, `Idempotency-Key`); `GET /portal/stats`; `POST
//!   /portal/filed` (a citizen files on the national portal); `GET /portal/filed?after=&limit=`.
//!
//! The simulators hold fake people only; they still never log personal data.

mod bank;
mod delivery;
mod faults;
mod gateway;
mod mail;
mod page;
mod people;
mod portal;
mod portal_filed;
mod records;
mod registry;
mod sms;
mod smtp;
mod state;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use bank::{TransferReceipt, TransferRequest};
pub use faults::{FaultConfig, Service};
pub use people::seeded_people;
pub use records::{CallbackRecord, Correction, Lookup, MailMessage, Outcome, Session, SmsMessage};
pub use state::SimState;

/// Largest request body the simulators read.
const BODY_LIMIT: usize = 1024 * 1024;

/// How the simulators behave.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Seeds the made-up people, the ids and the fault draws.
    pub seed: u64,
    /// Where the bank sends transfer callbacks (the gateway uses each order's own URL).
    pub callback_url: Option<String>,
    pub merchant_id: String,
    /// Signs callbacks and checks merchant requests; a demo value by default.
    pub secret: String,
    /// Shown on the gateway's page.
    pub merchant_name: String,
    /// How browsers reach the HTTP listener; `http://<listen address>` when `None`.
    pub public_url: Option<String>,
    /// Made-up people in the registry besides the three demo citizens.
    pub generated_people: usize,
    /// How long a dropped callback waits before it is sent late.
    pub redelivery_delay: Duration,
    /// How long a simulated timeout hangs: longer than any client waits.
    pub timeout_hang: Duration,
    /// How long the simulator waits for a callback receiver.
    pub callback_timeout: Duration,
    /// Faults in force from the start.
    pub faults: BTreeMap<Service, FaultConfig>,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            seed: 1,
            callback_url: None,
            merchant_id: "MOTCUA-DEMO".into(),
            secret: "motcua-sim-demo-secret".into(),
            merchant_name: "Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên".into(),
            public_url: None,
            generated_people: 200,
            redelivery_delay: Duration::from_secs(5),
            timeout_hang: Duration::from_secs(30),
            callback_timeout: Duration::from_secs(10),
            faults: BTreeMap::new(),
        }
    }
}

/// Why the simulators could not start.
#[derive(Debug, Error)]
pub enum SimError {
    #[error("không đọc được địa chỉ đang nghe: {0}")]
    Io(#[from] std::io::Error),
    #[error("cấu hình máy giả lập không hợp lệ: {0}")]
    Config(String),
}

/// The running simulators. Dropping the handle stops them too.
pub struct SimHandle {
    pub http_addr: SocketAddr,
    pub smtp_addr: SocketAddr,
    state: SimState,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://<address>` of the HTTP simulators.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    pub fn state(&self) -> &SimState {
        &self.state
    }

    pub fn set_faults(&self, service: Service, config: FaultConfig) {
        self.state.set_faults(service, config);
    }

    /// Stops accepting, ends hangs and pending callbacks, and waits for the listeners to close.
    pub async fn shutdown(mut self) {
        self.state.shutdown();
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.state.shutdown();
    }
}

/// Starts the HTTP simulators on `http_listener` and the SMTP sink on `smtp_listener`.
pub async fn spawn(
    config: SimConfig,
    http_listener: TcpListener,
    smtp_listener: TcpListener,
) -> Result<SimHandle, SimError> {
    let http_addr = http_listener.local_addr()?;
    let smtp_addr = smtp_listener.local_addr()?;
    if let Some(url) = &config.callback_url {
        crate::http::base_url(url).map_err(|e| SimError::Config(e.to_string()))?;
    }
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{http_addr}"));
    let state = SimState::new(config, public_url)?;
    let app = router(state.clone());
    let stopping = state.clone();
    let http = tokio::spawn(async move {
        let serve = axum::serve(http_listener, app)
            .with_graceful_shutdown(async move { stopping.stopped().await });
        if let Err(e) = serve.await {
            tracing::warn!(error = %e, "simulator HTTP server stopped");
        }
    });
    let smtp = tokio::spawn(smtp::serve(smtp_listener, state.clone()));
    Ok(SimHandle {
        http_addr,
        smtp_addr,
        state,
        tasks: vec![http, smtp],
    })
}

/// The HTTP routes of all the simulators.
pub fn router(state: SimState) -> Router {
    Router::new()
        .route("/sim/healthz", get(healthz))
        .route("/sim/faults", get(faults::list).delete(faults::reset))
        .route("/sim/faults/{service}", put(faults::set))
        .route("/registry/people/{personal_id}", get(registry::person))
        .route("/registry/lookups", get(registry::lookups))
        .route(
            "/insurance/books/{personal_id}",
            get(registry::insurance_book),
        )
        .route(
            "/registry/corrections",
            post(registry::correct).get(registry::corrections),
        )
        .route("/gateway/payments", post(gateway::create))
        .route("/gateway/payments/{session_id}", get(gateway::query))
        .route(
            "/gateway/pay/{session_id}",
            get(gateway::page).post(gateway::pay),
        )
        .route("/gateway/callbacks", get(gateway::callbacks))
        .route(
            "/gateway/refunds",
            get(gateway::refunds).post(gateway::refund),
        )
        .route("/bank/transfer", post(bank::transfer))
        .route("/portal/dossiers", post(portal::sync))
        .route("/portal/stats", get(portal::stats))
        .route(
            "/portal/filed",
            get(portal_filed::page).post(portal_filed::file),
        )
        .route("/sms/send", post(sms::send))
        .route("/sms/messages", get(sms::messages))
        .route("/mail/messages", get(mail::messages))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}
