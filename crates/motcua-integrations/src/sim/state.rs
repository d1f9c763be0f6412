//! The simulators' shared state: what they were told, what they sent, and the seeded generators.
//! Everything is in memory; lists keep the latest entries only, so a long demo cannot fill RAM.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use super::SimConfig;
use super::faults::{Decision, Failure, FaultConfig, Faults, Service, mix};
use super::records::{CallbackRecord, Correction, Lookup, MailMessage, Session, SmsMessage};
use crate::registry::Person;

/// Each list keeps at most this many entries, dropping the oldest.
const LIST_CAP: usize = 10_000;

/// The state behind [`super::router`]; cheap to clone.
#[derive(Clone)]
pub struct SimState {
    inner: Arc<Inner>,
}

struct Inner {
    config: SimConfig,
    public_url: String,
    people: BTreeMap<String, Person>,
    faults: Mutex<Faults>,
    ids: Mutex<StdRng>,
    data: Mutex<Data>,
    http: reqwest::Client,
    shutdown: watch::Sender<bool>,
}

/// What the simulators have seen and done.
#[derive(Default)]
pub(crate) struct Data {
    pub lookups: VecDeque<Lookup>,
    pub corrections: VecDeque<Correction>,
    pub sessions: HashMap<String, Session>,
    pub refunds: Vec<crate::payment::Refund>,
    pub callbacks: VecDeque<CallbackRecord>,
    pub sms: VecDeque<SmsMessage>,
    pub mails: VecDeque<MailMessage>,
    pub portal: super::portal::PortalData,
    pub counter: u64,
}

impl Data {
    /// The next number of a per-simulator sequence (tickets, messages, callback records).
    pub fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }
}

/// Appends, dropping the oldest entry past the cap.
pub(crate) fn push_capped<T>(list: &mut VecDeque<T>, item: T) {
    if list.len() >= LIST_CAP {
        list.pop_front();
    }
    list.push_back(item);
}

impl SimState {
    /// `public_url` is how browsers reach the HTTP listener (the redirect URLs use it).
    pub fn new(config: SimConfig, public_url: String) -> Result<SimState, super::SimError> {
        let people = super::people::seeded_people(&config)
            .into_iter()
            .map(|p| (p.personal_id.clone(), p))
            .collect();
        let http = reqwest::Client::builder()
            .timeout(config.callback_timeout)
            .build()
            .map_err(|e| super::SimError::Config(e.to_string()))?;
        let (shutdown, _) = watch::channel(false);
        Ok(SimState {
            inner: Arc::new(Inner {
                faults: Mutex::new(Faults::new(config.seed, &config.faults)),
                ids: Mutex::new(StdRng::seed_from_u64(mix(config.seed, 1))),
                public_url: public_url.trim_end_matches('/').to_string(),
                people,
                config,
                data: Mutex::new(Data::default()),
                http,
                shutdown,
            }),
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.inner.config
    }

    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    pub(crate) fn person(&self, personal_id: &str) -> Option<&Person> {
        self.inner.people.get(personal_id)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn data(&self) -> MutexGuard<'_, Data> {
        lock(&self.inner.data)
    }

    /// A fresh id from the seeded generator: `PREFIX` + `digits` decimal digits.
    pub(crate) fn new_id(&self, prefix: &str, digits: u32) -> String {
        let n: u64 = lock(&self.inner.ids).gen_range(0..10_u64.pow(digits));
        format!("{prefix}{n:0width$}", width = digits as usize)
    }

    pub fn set_faults(&self, service: Service, config: FaultConfig) {
        lock(&self.inner.faults).set(service, config);
    }

    pub fn faults_snapshot(&self) -> BTreeMap<Service, FaultConfig> {
        lock(&self.inner.faults).all()
    }

    pub(crate) fn decide(&self, service: Service) -> Decision {
        lock(&self.inner.faults).decide(service)
    }

    /// Applies a decision to an HTTP answer: the latency when `delay` (callback senders delay
    /// the callback instead), then the error or the hang.
    pub(crate) async fn apply(&self, decision: &Decision, delay: bool) -> Result<(), ApiError> {
        if delay && !self.sleep(decision.latency).await {
            return Err(ApiError::unavailable());
        }
        match decision.failure {
            None => Ok(()),
            Some(Failure::Error) => Err(ApiError::unavailable()),
            Some(Failure::Timeout) => {
                self.sleep(self.inner.config.timeout_hang).await;
                Err(ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "Dịch vụ không trả lời kịp (lỗi giả lập).",
                ))
            }
        }
    }

    /// Sleeps unless the simulator shuts down first; `false` when it does.
    pub(crate) async fn sleep(&self, d: Duration) -> bool {
        if d.is_zero() {
            return !self.is_shutting_down();
        }
        let mut rx = self.inner.shutdown.subscribe();
        if *rx.borrow() {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = rx.wait_for(|stop| *stop) => false,
        }
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Stops the simulators: pending hangs and callback retries end at once.
    pub fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Resolves when [`SimState::shutdown`] is called.
    pub async fn stopped(&self) {
        let mut rx = self.inner.shutdown.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// A poisoned lock only means another request panicked; the data is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A JSON error answer: `{"error": "…"}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Dịch vụ tạm thời gián đoạn (lỗi giả lập), vui lòng thử lại sau.",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: &self.message,
            }),
        )
            .into_response()
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Nội dung JSON không hợp lệ: {e}")))
}
