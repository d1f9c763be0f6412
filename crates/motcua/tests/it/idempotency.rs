//! A retry never writes twice, on both databases. The API honours `Idempotency-Key` on every
//! creating POST (filings, uploads, payments, feedback, ratings, actions): the same key with
//! the same request gives the first answer again and writes nothing; with another request,
//! 422; eight at once, one effect. A client that times out and retries gets the first attempt's
//! answer. Page forms carry a one-time token: a double click or a resubmission files once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::Integrations;
use motcua_integrations::sim::SimConfig;
use motcua_testkit::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A POST with `Idempotency-Key: key`: (status, replayed?, body).
async fn keyed(api: &Api, path: &str, key: &str, body: &Value) -> (StatusCode, bool, Value) {
    let res = api
        .http
        .post(api.url(path))
        .bearer_auth(&api.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").is_some();
    (status, replayed, res.json().await.unwrap_or(Value::Null))
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn record_filing(purpose: &str, agency: &str) -> Value {
    json!({"procedure_code": "TP-01", "agency_id": agency, "submit": true,
           "form": {"record_type": "Phiếu số 1", "purpose": purpose, "copies": "1"}})
}

/// How many of Lan's dossiers have this code.
async fn with_code(api: &Api, code: &str) -> usize {
    let (_, lines) = api.get("/api/v1/dossiers").await;
    lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["code"] == code)
        .count()
}

#[tokio::test]
async fn a_retried_filing_is_one_dossier_and_gets_the_first_answer_again() {
    for server in servers() {
        let name = server.name;
        let lan = Api::login(server, LAN).await;
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let filing = record_filing("Bổ sung hồ sơ xin việc", &agency);
        let k = key();
        let (status, replayed, first) = keyed(&lan, "/api/v1/dossiers", &k, &filing).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {first}");
        assert!(!replayed);
        let (status, replayed, again) = keyed(&lan, "/api/v1/dossiers", &k, &filing).await;
        assert_eq!(status, StatusCode::CREATED, "{name}");
        assert!(replayed, "{name}: the first answer, given again");
        assert_eq!(again, first);
        // The same JSON written otherwise (key order, spacing) is the same request.
        let res = lan
            .http
            .post(lan.url("/api/v1/dossiers"))
            .bearer_auth(&lan.token)
            .header("Idempotency-Key", &k)
            .header("Content-Type", "application/json")
            .body(
                serde_json::to_string_pretty(&filing)
                    .unwrap()
                    .replace("\n", "\n   "),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{name}");
        assert_eq!(res.json::<Value>().await.unwrap(), first);
        let code = first["code"].as_str().unwrap();
        assert_eq!(with_code(&lan, code).await, 1, "{name}: one dossier");

        // The same key for another request: refused, nothing written.
        let other = record_filing("Đi du học", &agency);
        let (status, _, body) = keyed(&lan, "/api/v1/dossiers", &k, &other).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key")
        );

        // Eight at once with one key: one dossier, one answer.
        let k8 = key();
        let answers =
            futures::future::join_all((0..8).map(|_| keyed(&lan, "/api/v1/dossiers", &k8, &other)))
                .await;
        let mut ids: Vec<&str> = answers
            .iter()
            .map(|(status, _, body)| {
                assert_eq!(*status, StatusCode::CREATED, "{name}: {body}");
                body["id"].as_str().unwrap()
            })
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), 1, "{name}: {answers:?}");
        assert_eq!(
            answers.iter().filter(|a| !a.1).count(),
            1,
            "one ran, seven replayed"
        );
        let code8 = answers[0].2["code"].as_str().unwrap();
        assert_eq!(with_code(&lan, code8).await, 1, "{name}");

        // A key is the caller's own: Minh's request with Lan's key is Minh's.
        let minh = Api::login(server, MINH).await;
        let (status, replayed, his) = keyed(&minh, "/api/v1/dossiers", &k, &filing).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {his}");
        assert!(!replayed);
        assert_ne!(his["id"], first["id"]);

        // A key that is no key.
        for bad in ["có dấu", "", &"x".repeat(201)] {
            let (status, _, body) = keyed(&lan, "/api/v1/dossiers", bad, &filing).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {bad:?} {body}");
        }
    }
}

/// A server with the payment gateway and the portal simulated; its simulators' address.
fn paying_server(name: &'static str, db: Option<String>) -> (Server, String) {
    const SECRET: &str = "idem-secret";
    const MERCHANT: &str = "MOTCUA-IDEM";
    let mut sim = String::new();
    let server = start_at(name, db, |addr| {
        sim = own_simulators(SimConfig {
            callback_url: Some(format!("http://{addr}/api/v1/payments/callback")),
            secret: SECRET.into(),
            merchant_id: MERCHANT.into(),
            ..SimConfig::default()
        });
        Integrations {
            gateway_url: Some(sim.clone()),
            merchant_id: Some(MERCHANT.into()),
            payment_secret: Some(SECRET.into()),
            public_url: Some(format!("http://{addr}")),
            ..Integrations::default()
        }
    });
    (server, sim)
}

#[tokio::test]
async fn every_creating_post_gives_its_first_answer_to_a_retry() {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let (server, sim) = paying_server(name, db);
        let lan = Api::login(&server, LAN).await;
        let intake = Api::login(&server, "tiepnhan.sotuphap").await;
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let (_, _, filed) = keyed(
            &lan,
            "/api/v1/dossiers",
            &key(),
            &json!({"procedure_code": "TP-01", "agency_id": agency,
                    "form": {"record_type": "Phiếu số 1", "purpose": "Xin việc", "copies": "1"}}),
        )
        .await;
        let id = filed["id"].as_str().unwrap().to_string();

        // An upload, sent twice with one key: one attachment.
        let k = key();
        let mut answers = Vec::new();
        for _ in 0..2 {
            let form = Form::new()
                .text("component_index", "0")
                .part("file", Part::bytes(PDF.to_vec()).file_name("to-khai.pdf"));
            let res = lan
                .http
                .post(lan.url(&format!("/api/v1/dossiers/{id}/attachments")))
                .bearer_auth(&lan.token)
                .header("Idempotency-Key", &k)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let replayed = res.headers().get("idempotent-replayed").is_some();
            answers.push((res.status(), replayed, res.json::<Value>().await.unwrap()));
        }
        // (TP-01 takes no upload for component 0: the refusal is the answer kept.)
        assert_eq!(answers[0].0, answers[1].0, "{name}: {answers:?}");
        assert_eq!(answers[0].2, answers[1].2);
        assert!(!answers[0].1 && answers[1].1, "{name}: {answers:?}");

        // Submitting and receiving: an action retried is the same action, recorded once.
        let (status, _, submitted) = keyed(
            &lan,
            &format!("/api/v1/dossiers/{id}/actions"),
            &key(),
            &json!({"action": "submit"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {submitted}");
        let k = key();
        let receive = json!({"action": "receive"});
        let path = format!("/api/v1/dossiers/{id}/actions");
        let (s1, r1, b1) = keyed(&intake, &path, &k, &receive).await;
        let (s2, r2, b2) = keyed(&intake, &path, &k, &receive).await;
        assert_eq!(
            (s1, r1, s2, r2),
            (StatusCode::OK, false, StatusCode::OK, true),
            "{name}: {b1} {b2}"
        );
        assert_eq!(b1, b2);
        // Without the key, doing it again is a new request, refused by the rules.
        let (s3, _) = intake.act(&id, "receive", None).await;
        assert_eq!(s3, StatusCode::CONFLICT, "{name}");
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{id}")).await;
        let count = |kind: &str| {
            view["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == kind)
                .count()
        };
        assert_eq!((count("submit"), count("receive")), (1, 1), "{name}");

        // Feedback sent twice with one key: one feedback.
        let k = key();
        let feedback = json!({"procedure_code": "TP-01", "agency_id": agency,
                              "causes": ["portal_error"], "text": "Trang báo lỗi khi tải tệp."});
        let path = "/api/v1/feedback".to_string();
        let count_mine = || async {
            let (_, mine) = lan.get("/api/v1/me/feedback").await;
            mine.as_array().unwrap().len()
        };
        let before = count_mine().await;
        let (s1, _, f1) = keyed(&lan, &path, &k, &feedback).await;
        let (s2, r2, f2) = keyed(&lan, &path, &k, &feedback).await;
        assert_eq!(
            (s1, s2, r2),
            (StatusCode::CREATED, StatusCode::CREATED, true),
            "{name}: {f1}"
        );
        assert_eq!(f1, f2);
        assert_eq!(count_mine().await, before + 1, "{name}: one feedback");

        // A payment started twice with one key: one session, the same address to pay at.
        let k = key();
        let path = format!("/api/v1/dossiers/{id}/payments");
        let (s1, _, p1) = keyed(&lan, &path, &k, &json!({})).await;
        let (s2, r2, p2) = keyed(&lan, &path, &k, &json!({})).await;
        assert_eq!(
            (s1, s2, r2),
            (StatusCode::CREATED, StatusCode::CREATED, true),
            "{name}: {p1}"
        );
        assert_eq!(p1, p2);

        // A client that gives up waiting and tries again gets the first attempt's answer: the
        // gateway answers slowly, the client waits 200 ms, the server goes on.
        let (_, _, filed) = keyed(
            &lan,
            "/api/v1/dossiers",
            &key(),
            &record_filing("Lần hai", &agency),
        )
        .await;
        let id2 = filed["id"].as_str().unwrap().to_string();
        let res = client()
            .put(format!("{sim}/sim/faults/gateway"))
            .json(&json!({"latency_ms": 1500}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        let k = key();
        let path = format!("/api/v1/dossiers/{id2}/payments");
        let impatient = lan
            .http
            .post(lan.url(&path))
            .bearer_auth(&lan.token)
            .header("Idempotency-Key", &k)
            .json(&json!({}))
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        assert!(impatient.is_err(), "{name}: the client gave up");
        let (status, _, retried) = keyed(&lan, &path, &k, &json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {retried}");
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id2}/fees")).await;
        assert_eq!(
            fees["payments"].as_array().unwrap().len(),
            1,
            "{name}: one gateway session: {fees}"
        );
    }
}

#[tokio::test]
async fn a_double_clicked_form_files_once() {
    for server in servers() {
        let name = server.name;
        let lan = page_login(server, LAN).await;
        let base = &server.base;
        let page = page_html(&lan, &format!("{base}/procedures/TP-01/file")).await;
        let csrf = csrf_of(&page);
        let at = page.find("action=\"/procedures/TP-01/file?once=").unwrap() + 8;
        let action = page[at..at + page[at..].find('"').unwrap()].replace("&amp;", "&");
        let api = Api::login(server, LAN).await;
        let agency = api.agency_for("TP-01", "Sở Tư pháp").await;
        let form = || {
            Form::new()
                .text("csrf", csrf.clone())
                .text("agency_id", agency.clone())
                .text("f_record_type", "Phiếu số 1")
                .text("f_purpose", "Nộp hồ sơ xin việc")
                .text("f_copies", "1")
                .text("intent", "submit")
        };
        // Two clicks, at once.
        let clicks = futures::future::join_all(
            (0..2).map(|_| lan.post(format!("{base}{action}")).multipart(form()).send()),
        )
        .await;
        let mut places = Vec::new();
        for c in clicks {
            let c = c.unwrap();
            assert_eq!(c.status(), StatusCode::SEE_OTHER, "{name}");
            places.push(c.headers()["location"].to_str().unwrap().to_string());
        }
        assert_eq!(places[0], places[1], "{name}: the same dossier");
        // The browser sends it again later (back, then "resubmit"): the same answer.
        let again = lan
            .post(format!("{base}{action}"))
            .multipart(form())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        assert_eq!(again.headers()["location"].to_str().unwrap(), places[0]);
        // A fresh page is a fresh form: filing again on purpose is a second dossier.
        let page = page_html(&lan, &format!("{base}/procedures/TP-01/file")).await;
        assert!(!page.contains(&action), "{name}: a new token per page");
        let id = places[0]
            .trim_start_matches("/dossiers/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let (_, view) = api.get(&format!("/api/v1/dossiers/{id}")).await;
        let code = view["code"].as_str().unwrap();
        assert_eq!(with_code(&api, code).await, 1, "{name}");
        let submits = view["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "submit")
            .count();
        assert_eq!(submits, 1, "{name}");
    }
}
