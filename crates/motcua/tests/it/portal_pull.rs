//! Dossiers filed on the national public service portal arrive in the agency's intake queue,
//! through a portal that fails 30% of pulls, hangs on some and answers some twice (the same
//! page again): every one arrives, none twice, marked as filed through the national portal, for
//! a person who had no account as well as for one who had.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use motcua_app::Integrations;
use motcua_integrations::sim::{FaultConfig, Service, SimConfig, seeded_people};
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const FILED: usize = 60;

fn failing_portal() -> String {
    let mut faults = BTreeMap::new();
    faults.insert(
        Service::Portal,
        FaultConfig {
            error_rate: 0.3,
            timeout_rate: 0.02,
            duplicate_rate: 0.2,
            ..FaultConfig::default()
        },
    );
    own_simulators(SimConfig {
        faults,
        timeout_hang: Duration::from_millis(300),
        ..SimConfig::default()
    })
}

async fn file_on_portal(sim: &str, body: Value) {
    let res = client()
        .post(format!("{sim}/portal/filed"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// The officer's dossiers filed through the national portal.
async fn pulled(officer: &Api) -> Vec<Value> {
    let (lines, _) = officer.get_all("/api/v1/dossiers").await;
    lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["filing_mode"] == "national_portal")
        .cloned()
        .collect()
}

#[tokio::test]
async fn every_dossier_filed_on_the_national_portal_arrives_once() {
    let people = seeded_people(&SimConfig::default());
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
        let officer = Api::login(&server, "tiepnhan.sotuphap").await;
        let (_, procedure) = officer.get("/api/v1/procedures/TP-01").await;
        let agency_code = procedure["agencies"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let form = json!({"record_type": "Phiếu số 2", "purpose": "Đi làm việc ở nước ngoài", "copies": "1"});
        // Lan has an account; the made-up people do not.
        for i in 0..FILED {
            let (pid, full_name) = if i == 0 {
                (LAN.to_string(), "Nguyễn Thị Lan".to_string())
            } else {
                let p = &people[people.len() - 1 - (i % 20)];
                (p.personal_id.clone(), p.full_name.clone())
            };
            file_on_portal(
                &sim,
                json!({"MaTTHC": "TP-01", "MaCoQuan": agency_code, "ChuHoSo": full_name,
                       "DinhDanhCHS": pid, "SoDienThoai": "0912345678", "ToKhai": form}),
            )
            .await;
        }
        // Not this province's: reported and left, without holding up the rest.
        file_on_portal(
            &sim,
            json!({"MaTTHC": "XX-99", "MaCoQuan": agency_code, "ChuHoSo": "Lê Văn Khác",
                   "DinhDanhCHS": LAN, "ToKhai": {}}),
        )
        .await;

        // The portal fails now and then: each run pulls what it can, the next goes on from
        // where the last one stopped (a bounded number of runs, no waiting).
        let mut runs = 0;
        while pulled(&officer).await.len() < FILED {
            runs += 1;
            assert!(runs <= 100, "{name}: not all pulled in {runs} runs");
            server.run_due_jobs().await;
        }
        // A few more pulls (some answered twice) change nothing.
        for _ in 0..5 {
            assert_eq!(server.run_due_jobs().await.portal_dossiers, 0, "{name}");
        }
        let lines = pulled(&officer).await;
        assert_eq!(lines.len(), FILED, "{name}: each dossier exactly once");
        assert!(lines.iter().all(|l| l["state"] == "submitted"), "{name}");

        // In the same queue as online dossiers, ready for intake, owned by the applicant.
        let first = lines.iter().find(|l| l["code"].is_string()).unwrap();
        let id = first["id"].as_str().unwrap();
        let (_, view) = officer.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["filing_mode"], "national_portal", "{view}");
        assert_eq!(view["events"][0]["actor_role"], "Người dân, doanh nghiệp");
        let (status, body) = officer.act(id, "receive", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let lan = Api::login(&server, LAN).await;
        let (_, mine) = lan.get("/api/v1/dossiers").await;
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .any(|l| l["filing_mode"] == "national_portal"),
            "Lan sees her dossier filed on the national portal"
        );
    }
}
