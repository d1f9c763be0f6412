//! Starting simulators and a callback receiver on loopback ports.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use motcua_integrations::sim::{self, SimConfig, SimHandle};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub const SECRET: &str = "test-secret";
pub const MERCHANT: &str = "MOTCUA-TEST";

/// A quick configuration: few made-up people, short redelivery delay.
pub fn config() -> SimConfig {
    SimConfig {
        seed: 2026,
        merchant_id: MERCHANT.into(),
        secret: SECRET.into(),
        generated_people: 20,
        redelivery_delay: Duration::from_millis(400),
        ..SimConfig::default()
    }
}

pub async fn start(config: SimConfig) -> SimHandle {
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    sim::spawn(config, http, smtp).await.unwrap()
}

pub async fn put_faults(sim: &SimHandle, service: &str, faults: Value) -> reqwest::Response {
    reqwest::Client::new()
        .put(format!("{}/sim/faults/{service}", sim.base_url()))
        .json(&faults)
        .send()
        .await
        .unwrap()
}

pub async fn get_json(url: &str) -> Value {
    let resp = reqwest::get(url).await.unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap()
}

/// One callback as the receiver got it.
#[derive(Debug)]
pub struct Received {
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// A merchant's callback endpoint: records what arrives; answers 500 to the first
/// `failures` requests, then 200.
pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
}

#[derive(Clone)]
struct ReceiverState {
    tx: mpsc::UnboundedSender<Received>,
    failures: Arc<AtomicUsize>,
}

pub async fn receiver(failures: usize) -> Receiver {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = ReceiverState {
        tx,
        failures: Arc::new(AtomicUsize::new(failures)),
    };
    async fn take(State(s): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
        let signature = headers
            .get("x-motcua-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let _ = s.tx.send(Received {
            signature,
            body: body.to_vec(),
        });
        let failing = s
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    }
    let app = axum::Router::new()
        .route("/payments/callback", post(take))
        .with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/payments/callback",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, rx }
}

impl Receiver {
    /// The next callback, failing the test if none comes within `within`.
    pub async fn next(&mut self, within: Duration) -> Received {
        tokio::time::timeout(within, self.rx.recv())
            .await
            .expect("no callback in time")
            .expect("receiver closed")
    }

    /// Whether nothing arrives within `within`.
    pub async fn quiet_for(&mut self, within: Duration) -> bool {
        tokio::time::timeout(within, self.rx.recv()).await.is_err()
    }
}
