//! Every dossier reaches the national public service portal, once, through a portal that fails:
//! 1,000 dossiers filed and 100 of them received, over real HTTP on both databases, against the
//! portal simulator answering 503 to 30% of calls, hanging on 1%, and losing its answer after
//! applying on 10% (so the sender retries what was already done). The sync ends at 100%, no
//! event applied twice, each dossier at its latest status; the admin page says so, and so do
//! the 766 figures kept meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use motcua_app::Integrations;
use motcua_integrations::sim::{FaultConfig, Service, SimConfig};
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DOSSIERS: usize = 1000;
const RECEIVED_EVERY: usize = 10;

fn failing_portal() -> String {
    let mut faults = BTreeMap::new();
    faults.insert(
        Service::Portal,
        FaultConfig {
            error_rate: 0.3,
            timeout_rate: 0.01,
            duplicate_rate: 0.1,
            ..FaultConfig::default()
        },
    );
    own_simulators(SimConfig {
        faults,
        timeout_hang: Duration::from_millis(500),
        ..SimConfig::default()
    })
}

async fn portal_stats(sim: &str) -> Value {
    client()
        .get(format!("{sim}/portal/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_thousand_dossiers_reach_a_failing_portal_all_once() {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let sim = failing_portal();
        let server = start_with(
            name,
            db,
            Integrations {
                portal_url: Some(sim.clone()),
                retry_base: Some(Duration::from_millis(50)),
                ..Integrations::default()
            },
        );
        let lan = Api::login(&server, LAN).await;
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let form = json!({"record_type": "Phiếu số 2", "purpose": "Đi làm việc ở nước ngoài", "copies": "1"});

        // File 1,000 dossiers, four at a time.
        let mut ids = Vec::new();
        for chunk in 0..DOSSIERS / 4 {
            let requests = (0..4).map(|_| {
                lan.post(
                    "/api/v1/dossiers",
                    json!({"procedure_code": "TP-01", "agency_id": agency, "form": form, "submit": true}),
                )
            });
            for (status, body) in futures::future::join_all(requests).await {
                assert_eq!(status, StatusCode::CREATED, "{chunk}: {body}");
                ids.push((
                    body["id"].as_str().unwrap().to_string(),
                    body["code"].as_str().unwrap().to_string(),
                ));
            }
        }
        // Receive every tenth: an update after the create.
        let intake = Api::login(&server, "tiepnhan.sotuphap").await;
        for (id, _) in ids.iter().step_by(RECEIVED_EVERY) {
            let (status, body) = intake.act(id, "receive", None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let expected = DOSSIERS + DOSSIERS / RECEIVED_EVERY;

        // Run the outbox until the portal holds every event: each run tries every waiting
        // message once; with 30% failures a few dozen runs are plenty.
        let mut stats = portal_stats(&sim).await;
        let mut runs = 0;
        while stats["progress_lines"] != expected && runs < 60 {
            server.run_due_jobs().await;
            runs += 1;
            stats = portal_stats(&sim).await;
        }
        assert_eq!(
            stats["progress_lines"], expected,
            "{name}: {}",
            stats["progress_lines"]
        );
        assert_eq!(stats["dossiers"], DOSSIERS);
        assert_eq!(stats["applied_twice"], 0, "no event applied twice");
        assert!(
            stats["replays"].as_u64().unwrap() > 0,
            "lost answers made the sender retry what the portal had applied"
        );
        for (i, (_, code)) in ids.iter().enumerate() {
            let want = if i % RECEIVED_EVERY == 0 { 2 } else { 1 };
            assert_eq!(stats["statuses"][code], want, "{code}");
        }

        // The administrator's figures agree; others may not see them.
        // (The portal may hold an event whose answer was lost: the sender is still retrying it.)
        let admin = Api::login(&server, "quantri").await;
        let (mut status, mut sync) = admin.get("/api/v1/admin/sync").await;
        while sync["backlog"] != 0 && runs < 60 {
            server.run_due_jobs().await;
            runs += 1;
            (status, sync) = admin.get("/api/v1/admin/sync").await;
        }
        assert_eq!(status, StatusCode::OK, "{sync}");
        assert_eq!(sync["messages"], expected);
        assert_eq!(sync["synced"], expected, "{sync}");
        assert_eq!(sync["backlog"], 0);
        assert_eq!(sync["failed"], 0);
        assert_eq!(sync["rate_percent"], 100.0);
        assert!(sync["oldest_unsynced"].is_null());
        let page = page_login(&server, "quantri").await;
        let html = page_html(&page, &format!("{}/admin/sync", server.base)).await;
        assert!(html.contains("<strong>100%</strong>"), "{html}");
        let (status, _) = lan.get("/api/v1/admin/sync").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = intake.get("/api/v1/admin/sync").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The 766 figures kept while four filings and the deliveries ran side by side count
        // every received dossier synced, once, and equal the figures rebuilt from the events.
        let (_, live) = lan.get("/api/v1/indices").await;
        let synced = live["groups"][0]["indicators"][3].clone();
        assert_eq!(synced["key"], "synced");
        assert_eq!(synced["numerator"], DOSSIERS / RECEIVED_EVERY, "{synced}");
        assert_eq!(synced["denominator"], DOSSIERS / RECEIVED_EVERY, "{synced}");
        let (status, _) = admin.post("/api/v1/admin/indices/rebuild", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, rebuilt) = lan.get("/api/v1/indices").await;
        assert_eq!(rebuilt, live);
    }
}
