//! What leaves the system fails one message at a time, on both databases: a message that
//! cannot be opened, or that the national portal keeps refusing, records its attempts and its
//! last error, waits a doubling backoff and is given up after its last try, while the other
//! messages of its batch are delivered; the administrator sees the given-up messages (no
//! content) and sends one again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_app::Integrations;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

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

async fn faults(sim: &str, config: Value) {
    let res = client()
        .put(format!("{sim}/sim/faults/portal"))
        .json(&config)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

/// (attempts, next_attempt_at, failed_at, last_error) of a dossier's portal message.
async fn message_of(server: &Server, dossier: &str) -> (i64, i64, Option<i64>, Option<String>) {
    let mut db = server.db().await;
    let row = sqlx::query(
        "SELECT attempts, next_attempt_at, failed_at, last_error FROM outbox \
         WHERE dossier_id = $1 AND channel = 'portal'",
    )
    .bind(dossier)
    .fetch_one(&mut db)
    .await
    .unwrap();
    (
        row.get("attempts"),
        row.get("next_attempt_at"),
        row.get("failed_at"),
        row.get("last_error"),
    )
}

async fn filed(lan: &Api, agency: &str) -> (String, String) {
    let form = json!({"record_type": "Phiếu số 1", "purpose": "Xin việc", "copies": "1"});
    let (status, body) = lan
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "TP-01", "agency_id": agency, "form": form, "submit": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["code"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_bad_message_fails_alone_is_given_up_and_the_administrator_sends_it_again() {
    for server_sim in own_servers_with(|| {
        let sim = own_simulators(Default::default());
        (
            Integrations {
                portal_url: Some(sim.clone()),
                ..Integrations::default()
            },
            sim,
        )
    }) {
        let (server, sim) = server_sim;
        let name = server.name;
        let lan = Api::login(&server, LAN).await;
        let admin = Api::login(&server, "quantri").await;
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let mut dossiers = Vec::new();
        for _ in 0..5 {
            dossiers.push(filed(&lan, &agency).await);
        }

        // One message's content is damaged at rest: it fails alone, at once and for good.
        let (broken, broken_code) = dossiers[2].clone();
        let mut db = server.db().await;
        sqlx::query("UPDATE outbox SET payload_sealed = 'hỏng' WHERE dossier_id = $1")
            .bind(&broken)
            .execute(&mut db)
            .await
            .unwrap();
        let done = server.run_due_jobs().await;
        assert_eq!(done.messages, 5, "{name}: {done:?}");
        assert!(done.failed.is_empty(), "{name}: {done:?}");
        let stats = portal_stats(&sim).await;
        assert_eq!(
            stats["dossiers"], 4,
            "{name}: the rest of the batch went: {stats}"
        );
        assert!(stats["statuses"][&broken_code].is_null());
        let (attempts, _, failed_at, error) = message_of(&server, &broken).await;
        assert_eq!(attempts, 1, "{name}");
        assert!(failed_at.is_some(), "{name}: given up at once");
        assert!(error.unwrap().contains("không giải mã được"), "{name}");

        // The portal refuses for a while: attempts counted, the wait doubles, then given up.
        faults(&sim, json!({"error_rate": 1.0})).await;
        let (refused, refused_code) = filed(&lan, &agency).await;
        let mut waits = Vec::new();
        for try_no in 1..=12 {
            let before = jiff::Timestamp::now().as_microsecond();
            server.run_due_jobs().await;
            let (attempts, next, failed_at, error) = message_of(&server, &refused).await;
            assert_eq!(attempts, try_no, "{name}");
            assert!(error.unwrap().contains("503"), "{name}");
            if try_no < 12 {
                assert!(failed_at.is_none(), "{name}: still tried after {try_no}");
                waits.push((next - before) / 1_000_000);
            } else {
                assert!(failed_at.is_some(), "{name}: given up after its last try");
            }
        }
        // 2 s, 4 s, 8 s, … (seconds, rounded down; capped at 2,048 s).
        assert_eq!(waits[..4], [2, 4, 8, 16], "{name}: {waits:?}");
        assert_eq!(waits[10], 2048, "{name}: {waits:?}");

        // The administrator sees both, without their content, and sends the refused one again.
        let (status, dead) = admin.get("/api/v1/admin/outbox/dead-letters").await;
        assert_eq!(status, StatusCode::OK, "{dead}");
        let dead = dead.as_array().unwrap();
        assert_eq!(dead.len(), 2, "{name}: {dead:?}");
        let codes: Vec<&str> = dead
            .iter()
            .map(|d| d["dossier_code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&broken_code.as_str()) && codes.contains(&refused_code.as_str()));
        assert!(
            dead.iter()
                .all(|d| d["channel"] == "portal" && d.get("payload").is_none())
        );
        // A page at a time, the same letters in the same order.
        let (one_by_one, pages) = admin
            .get_all("/api/v1/admin/outbox/dead-letters?limit=1")
            .await;
        assert_eq!(pages, 2, "{name}");
        assert_eq!(one_by_one.as_array().unwrap(), dead, "{name}");
        let page = page_login(&server, "quantri").await;
        let html = page_html(&page, &format!("{}/admin/sync", server.base)).await;
        assert!(
            html.contains("Tin đã dừng gửi") && html.contains(&refused_code),
            "{html}"
        );
        assert!(html.contains("Gửi lại"));
        for who in [LAN, "giamsat", "tiepnhan.sotuphap"] {
            let other = Api::login(&server, who).await;
            let (status, _) = other.get("/api/v1/admin/outbox/dead-letters").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {who}");
            let id = dead[0]["id"].as_str().unwrap();
            let (status, _) = other
                .post(&format!("/api/v1/admin/outbox/{id}/retry"), json!({}))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {who}");
        }
        faults(&sim, json!({})).await;
        let refused_id = dead
            .iter()
            .find(|d| d["dossier_code"] == refused_code.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, _) = admin
            .post(
                &format!("/api/v1/admin/outbox/{refused_id}/retry"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}");
        server.run_due_jobs().await;
        let stats = portal_stats(&sim).await;
        assert_eq!(stats["statuses"][&refused_code], 1, "{name}: {stats}");
        let (_, dead) = admin.get("/api/v1/admin/outbox/dead-letters").await;
        assert_eq!(
            dead.as_array().unwrap().len(),
            1,
            "{name}: only the damaged one is left"
        );
        // A message that is not given up cannot be "sent again".
        let (status, _) = admin
            .post(
                &format!("/api/v1/admin/outbox/{refused_id}/retry"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
    }
}
