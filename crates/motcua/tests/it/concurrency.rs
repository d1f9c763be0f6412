//! A burst on a small pool, on both databases: 64 filings (each submitted in the same request),
//! their receipt at the desk and their fees paid by bank transfer and opened at the gateway, 32
//! clients at a time against a server that keeps only 4 database connections, with the
//! national portal sync and the payment notices running meanwhile. Everything finishes within
//! a bound and every request is acknowledged: no transaction waits for a second connection or
//! an outside system while it holds a row lock (on PostgreSQL such a wait froze the server).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use motcua_app::{Integrations, PoolOptions};
use motcua_integrations::sim::SimConfig;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

const SECRET: &str = "burst-test-secret";
const MERCHANT: &str = "MOTCUA-BURST";
const FILINGS: usize = 64;
const CLIENTS: usize = 32;
/// The whole burst, on a 2-core machine in a debug build, takes a few seconds; a frozen pool
/// never finishes.
const BOUND: Duration = Duration::from_secs(120);

/// A server that keeps 4 database connections, and its simulators' address.
fn small_pool_server(name: &'static str, db: Option<String>) -> (Server, String) {
    let mut simulators = String::new();
    let server = start_configured(name, db, |addr, config| {
        let sim = own_simulators(SimConfig {
            callback_url: Some(format!("http://{addr}/api/v1/payments/callback")),
            secret: SECRET.into(),
            merchant_id: MERCHANT.into(),
            ..SimConfig::default()
        });
        config.integrations = Integrations {
            gateway_url: Some(sim.clone()),
            merchant_id: Some(MERCHANT.into()),
            payment_secret: Some(SECRET.into()),
            public_url: Some(format!("http://{addr}")),
            portal_url: Some(sim.clone()),
            ..Integrations::default()
        };
        config.pool = PoolOptions {
            max_connections: 4,
            acquire_timeout: Duration::from_secs(10),
        };
        simulators = sim;
    });
    (server, simulators)
}

/// One filing's whole way: filed and submitted, received, paid by transfer, a gateway session
/// opened for nothing owed (refused) — every answer checked.
async fn one_filing(lan: &Api, intake: &Api, bank: &str, agency: &str, i: usize) -> String {
    let form = json!({"record_type": "Phiếu số 1", "purpose": format!("Hồ sơ xin việc {i}"), "copies": "1"});
    let (status, body) = lan
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "TP-01", "agency_id": agency, "form": form, "submit": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "filing {i}: {body}");
    let id = body["id"].as_str().unwrap().to_string();
    let code = body["code"].as_str().unwrap().to_string();
    let (status, body) = intake.act(&id, "receive", None).await;
    assert_eq!(status, StatusCode::OK, "receipt {i}: {body}");
    let (status, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
    assert_eq!(status, StatusCode::OK, "{fees}");
    let payload = fees["vietqr"].as_str().unwrap().to_string();
    let res = client()
        .post(format!("{bank}/bank/transfer"))
        .json(&json!({"payload": payload}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "transfer {i}");
    // The gateway too, while the bank's notice races it: a session or "nothing owed".
    let (status, body) = lan
        .post(&format!("/api/v1/dossiers/{id}/payments"), json!({}))
        .await;
    assert!(
        status == StatusCode::CREATED || status == StatusCode::UNPROCESSABLE_ENTITY,
        "gateway {i}: {status} {body}"
    );
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_on_four_connections_finishes_and_every_request_is_acknowledged() {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let (server, bank) = small_pool_server(name, db);
        let lan = Arc::new(Api::login(&server, LAN).await);
        let intake = Arc::new(Api::login(&server, "tiepnhan.sotuphap").await);
        let agency = Arc::new(lan.agency_for("TP-01", "Sở Tư pháp").await);
        let clients = Arc::new(Semaphore::new(CLIENTS));
        let started = std::time::Instant::now();
        let burst = (0..FILINGS).map(|i| {
            let (lan, intake, bank, agency, clients) = (
                lan.clone(),
                intake.clone(),
                bank.clone(),
                agency.clone(),
                clients.clone(),
            );
            tokio::spawn(async move {
                let _client = clients.acquire().await.unwrap();
                one_filing(&lan, &intake, &bank, &agency, i).await
            })
        });
        let codes = tokio::time::timeout(BOUND, futures::future::join_all(burst))
            .await
            .unwrap_or_else(|_| panic!("{name}: the burst did not finish within {BOUND:?}"));
        let mut codes: Vec<String> = codes.into_iter().map(|c| c.unwrap()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), FILINGS, "{name}: one code per filing");
        eprintln!(
            "{name}: {FILINGS} filings, receipts and payments in {:?}",
            started.elapsed()
        );

        // Every transfer's notice is recorded once, as the dossiers' fees say.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (lines, _) = lan.get_all("/api/v1/dossiers").await;
            let mine: Vec<&Value> = lines
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| codes.iter().any(|c| l["code"] == c.as_str()))
                .collect();
            assert_eq!(mine.len(), FILINGS, "{name}");
            let mut unpaid = 0;
            for l in &mine {
                let id = l["id"].as_str().unwrap();
                let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
                if fees["paid_vnd"] != 200_000 {
                    unpaid += 1;
                }
            }
            if unpaid == 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{name}: {unpaid} transfers never recorded"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Holds the dossiers table locked from outside the server until dropped... or committed.
async fn lock_dossiers(server: &Server, postgres: bool) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = if postgres {
        server.database_url.clone().unwrap()
    } else {
        format!("sqlite://{}", server.data_dir.join("motcua.db").display())
    };
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let lock = if postgres {
        "BEGIN; LOCK TABLE dossiers IN ACCESS EXCLUSIVE MODE"
    } else {
        "BEGIN IMMEDIATE"
    };
    sqlx::raw_sql(lock).execute(&mut conn).await.unwrap();
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_saturated_server_answers_503_with_retry_after_and_then_recovers() {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let postgres = db.is_some();
        let server = start_configured(name, db, |_, config| {
            config.pool = PoolOptions {
                max_connections: 1,
                acquire_timeout: Duration::from_millis(300),
            };
        });
        let lan = Arc::new(Api::login(&server, LAN).await);
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let draft = json!({"procedure_code": "TP-01", "agency_id": agency, "form": {}});
        let mut outside = lock_dossiers(&server, postgres).await;

        // The first filing takes the one connection and waits on the lock...
        let first = {
            let (lan, draft) = (lan.clone(), draft.clone());
            tokio::spawn(async move { lan.post("/api/v1/dossiers", draft).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        // ...so the next one finds none free: 503 after the bounded wait, never a hang.
        let asked = std::time::Instant::now();
        let res = lan
            .http
            .post(lan.url("/api/v1/dossiers"))
            .bearer_auth(&lan.token)
            .json(&draft)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{name}");
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            asked.elapsed()
        );
        let retry: u32 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&retry), "{name}: Retry-After {retry}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "busy", "{name}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("thử lại")
        );

        // The lock goes; the first filing goes through, and so does the next.
        sqlx::raw_sql("COMMIT").execute(&mut outside).await.unwrap();
        let (status, body) = first.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        let (status, body) = lan.post("/api/v1/dossiers", draft.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    }
}
