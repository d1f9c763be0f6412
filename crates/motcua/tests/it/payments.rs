//! Paying fees online against the built-in gateway and bank simulators, over real HTTP on both
//! databases: the fee comes from the catalog (with the form's reductions), a VietQR transfer and
//! a gateway payment are each recorded once however often the bank or the gateway says so, a
//! lost notice is made good by asking the gateway, a forged notice changes nothing, and only
//! the applicant pays.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::Integrations;
use motcua_integrations::payment::sign;
use motcua_integrations::sim::SimConfig;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "payments-test-secret";
const MERCHANT: &str = "MOTCUA-TEST";

/// A server per backend, each with simulators of its own whose bank notifies that server.
fn paying_servers() -> Vec<(Server, String)> {
    let start = |name: &'static str, db: Option<String>| {
        let mut sim = String::new();
        let server = start_at(name, db, |addr| {
            sim = own_simulators(SimConfig {
                callback_url: Some(format!("http://{addr}/api/v1/payments/callback")),
                secret: SECRET.into(),
                merchant_id: MERCHANT.into(),
                redelivery_delay: Duration::from_millis(1500),
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
    };
    let mut out = vec![start("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        out.push(start("postgres", Some(url)));
    }
    out
}

async fn faults(sim: &str, service: &str, config: Value) {
    let res = client()
        .put(format!("{sim}/sim/faults/{service}"))
        .json(&config)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

/// Lan's submitted TP-01 (criminal record certificate) dossier; returns (id, code).
async fn record_dossier(lan: &Api, fee_group: Option<&str>) -> (String, String) {
    let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
    let mut form =
        json!({"record_type": "Phiếu số 1", "purpose": "Bổ sung hồ sơ xin việc", "copies": "1"});
    if let Some(g) = fee_group {
        form["fee_group"] = json!(g);
    }
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

/// The fees until `done` holds (notices travel on their own), at most 10 s.
async fn fees_when(api: &Api, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (status, fees) = api.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(status, StatusCode::OK, "{fees}");
        if done(&fees) {
            return fees;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fees of {id} never reached the expected state");
}

async fn fee_events(api: &Api, id: &str) -> usize {
    let (_, d) = api.get(&format!("/api/v1/dossiers/{id}")).await;
    d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "fee_paid")
        .count()
}

/// The callbacks the simulators sent whose `field` is `value`.
async fn callbacks_where(sim: &str, field: &str, value: &str) -> Vec<Value> {
    let all: Value = client()
        .get(format!("{sim}/gateway/callbacks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|c| c[field] == value)
        .cloned()
        .collect()
}

async fn callbacks_of(sim: &str, transaction_id: &str) -> Vec<Value> {
    callbacks_where(sim, "transaction_id", transaction_id).await
}

async fn sessions_callbacks(sim: &str, session_id: &str) -> Vec<Value> {
    callbacks_where(sim, "session_id", session_id).await
}

#[tokio::test]
async fn a_vietqr_transfer_is_recorded_once_however_often_the_bank_says_so() {
    for (server, sim) in paying_servers() {
        let lan = Api::login(&server, LAN).await;
        let (id, code) = record_dossier(&lan, None).await;

        // The fee from the catalog, the QR for any banking app.
        let fees = fees_when(&lan, &id, |_| true).await;
        assert_eq!(fees["quote"]["amount_vnd"], 200_000, "{fees}");
        assert_eq!(fees["outstanding_vnd"], 200_000);
        assert_eq!(fees["payable"], true);
        let payload = fees["vietqr"].as_str().unwrap().to_string();
        assert!(payload.starts_with("000201010212"), "{payload}");
        assert!(payload.contains("970415") && payload.contains(&code));
        assert!(payload.contains("5406200000"), "amount tag 54: {payload}");

        // The bank pays and says so twice.
        faults(&sim, "bank", json!({"duplicate_rate": 1.0})).await;
        let res = client()
            .post(format!("{sim}/bank/transfer"))
            .json(&json!({"payload": payload}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let receipt: Value = res.json().await.unwrap();
        let transaction = receipt["transaction_id"].as_str().unwrap().to_string();
        let fees = fees_when(&lan, &id, |f| f["paid_vnd"] == 200_000).await;
        for _ in 0..100 {
            let sent = callbacks_of(&sim, &transaction).await;
            if sent.iter().filter(|c| c["outcome"] == "delivered").count() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let delivered = callbacks_of(&sim, &transaction).await;
        assert_eq!(
            delivered
                .iter()
                .filter(|c| c["outcome"] == "delivered")
                .count(),
            2,
            "{delivered:?}"
        );
        let (_, fees_after) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(
            fees_after["payments"], fees["payments"],
            "the copy changed nothing"
        );
        let payments = fees_after["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 1, "{fees_after}");
        assert_eq!(payments[0]["status"], "paid");
        assert_eq!(fees_after["payable"], false);
        assert!(fees_after["vietqr"].is_null());
        assert_eq!(fee_events(&lan, &id).await, 1);

        // The e-receipt, for the applicant and the agency.
        let payment_id = payments[0]["id"].as_str().unwrap();
        let (status, r) = lan
            .get(&format!("/api/v1/dossiers/{id}/payments/{payment_id}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["paid_vnd"], 200_000);
        assert_eq!(r["payer_name"], "Nguyễn Thị Lan");
        assert_eq!(r["transaction_id"], transaction.as_str());
        assert_eq!(r["receipt_no"], format!("BL-{code}-1"));
        let page = page_login(&server, LAN).await;
        let html = page_html(
            &page,
            &format!("{}/dossiers/{id}/payments/{payment_id}", server.base),
        )
        .await;
        assert!(html.contains("Biên lai thu phí, lệ phí điện tử"), "{html}");
        assert!(html.contains("200.000 đồng"));

        // Paying again is money the agency must give back: kept apart, the fee stays paid.
        faults(&sim, "bank", json!({})).await;
        let res = client()
            .post(format!("{sim}/bank/transfer"))
            .json(&json!({"payload": payload}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let fees = fees_when(&lan, &id, |f| f["payments"].as_array().unwrap().len() == 2).await;
        assert_eq!(fees["payments"][1]["status"], "unmatched", "{fees}");
        assert_eq!(fees["paid_vnd"], 200_000);
        assert_eq!(fee_events(&lan, &id).await, 1);

        // A transfer whose text the banking app stripped of dots and dashes still finds it.
        let (id2, code2) = record_dossier(&lan, Some("Người cao tuổi")).await;
        let (_, fees2) = lan.get(&format!("/api/v1/dossiers/{id2}/fees")).await;
        assert_eq!(fees2["quote"]["amount_vnd"], 0, "exempt: {fees2}");
        assert!(fees2["vietqr"].is_null() && fees2["payable"] == false);
        let stripped: String = code2.chars().filter(char::is_ascii_alphanumeric).collect();
        let notice = json!({
            "merchant_id": MERCHANT, "session_id": null, "reference": stripped,
            "amount_vnd": 5000, "status": "paid", "transaction_id": "FT-STRIPPED-1",
            "paid_at": "2026-12-01T03:00:00Z"
        })
        .to_string();
        let res = client()
            .post(format!("{}/api/v1/payments/callback", server.base))
            .header("X-Motcua-Signature", sign(SECRET, notice.as_bytes()))
            .body(notice.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["outcome"], "unmatched", "nothing was owed");
        let (_, fees2) = lan.get(&format!("/api/v1/dossiers/{id2}/fees")).await;
        assert_eq!(fees2["payments"].as_array().unwrap().len(), 1);

        // Forged notices change nothing.
        for signature in [None, Some(sign("not-the-secret", notice.as_bytes()))] {
            let mut req = client()
                .post(format!("{}/api/v1/payments/callback", server.base))
                .body(notice.replace("FT-STRIPPED-1", "FT-FORGED"));
            if let Some(sig) = signature {
                req = req.header("X-Motcua-Signature", sig);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_signature", "{body}");
        }
        let (_, fees2) = lan.get(&format!("/api/v1/dossiers/{id2}/fees")).await;
        assert_eq!(fees2["payments"].as_array().unwrap().len(), 1);

        // Others: a stranger sees nothing; the agency sees the fees but does not pay.
        let minh = Api::login(&server, MINH).await;
        let (status, _) = minh.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = minh
            .get(&format!("/api/v1/dossiers/{id}/payments/{payment_id}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let officer = Api::login(&server, "tiepnhan.sotuphap").await;
        let (status, f) = officer.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(status, StatusCode::OK, "{f}");
        let (status, _) = officer
            .post(&format!("/api/v1/dossiers/{id2}/payments"), json!({}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let res = client()
            .get(format!("{}/api/v1/dossiers/{id}/fees", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_gateway_payment_is_settled_by_asking_the_gateway_when_its_notice_is_late() {
    for (server, sim) in paying_servers() {
        let lan = Api::login(&server, LAN).await;
        let (id, _code) = record_dossier(&lan, Some("Sinh viên, học sinh")).await;
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(
            fees["quote"]["amount_vnd"], 100_000,
            "half for students: {fees}"
        );
        assert_eq!(fees["quote"]["lines"][1]["amount_vnd"], -100_000);

        // The gateway is down: a clear 503, nothing written.
        faults(&sim, "gateway", json!({"error_rate": 1.0})).await;
        let (status, body) = lan
            .post(&format!("/api/v1/dossiers/{id}/payments"), json!({}))
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "unavailable");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("VietQR")
        );
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert!(fees["payments"].as_array().unwrap().is_empty());

        // Up again, but its notice is held back: coming back from the gateway, the portal asks
        // the gateway and shows the payment at once.
        faults(&sim, "gateway", json!({"drop_rate": 1.0})).await;
        let page = page_login(&server, LAN).await;
        let res = page
            .get(format!("{}/dossiers/{id}", server.base))
            .send()
            .await
            .unwrap();
        // Browsers check form-action on the redirect to the gateway too.
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains(&format!("form-action 'self' {sim}")), "{csp}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Thanh toán trực tuyến"), "{html}");
        let csrf = csrf_of(&html);
        let res = page
            .post(format!("{}/dossiers/{id}/payment", server.base))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to_gateway = res.headers()["location"].to_str().unwrap().to_string();
        assert!(to_gateway.starts_with(&sim), "{to_gateway}");
        let gateway_page = client().get(&to_gateway).send().await.unwrap();
        assert_eq!(gateway_page.status(), StatusCode::OK);
        let res = client()
            .post(&to_gateway)
            .form(&[("action", "pay")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let back = res.headers()["location"].to_str().unwrap().to_string();
        assert!(back.starts_with(&format!("{}/dossiers/{id}/payment/return", server.base)));
        let res = page.get(&back).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(fees["paid_vnd"], 100_000, "{fees}");
        assert_eq!(fees["payments"][0]["status"], "paid");
        assert_eq!(fees["payments"][0]["method"], "gateway");

        // The late notice finds the payment done and changes nothing.
        let session = to_gateway.rsplit('/').next().unwrap().to_string();
        for _ in 0..100 {
            let sent = sessions_callbacks(&sim, &session).await;
            if sent.iter().any(|c| c["outcome"] == "delivered") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, after) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(after["payments"], fees["payments"]);
        assert_eq!(fee_events(&lan, &id).await, 1);
        let html = page_html(&page, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains("Đã nộp đủ phí, lệ phí."), "{html}");
        assert!(html.contains("Biên lai điện tử BL-"));
    }
}

/// Pays a gateway session as the payer would, on the gateway's page.
async fn pay_at_gateway(redirect_url: &str) {
    let res = client()
        .post(redirect_url)
        .form(&[("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{redirect_url}");
}

async fn refunds_of(sim: &str) -> Vec<Value> {
    let all: Value = client()
        .get(format!("{sim}/gateway/refunds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.as_array().unwrap().clone()
}

#[tokio::test]
async fn one_open_session_per_fee_and_money_paid_twice_goes_back_through_the_gateway() {
    for (server, sim) in paying_servers() {
        let name = server.name;
        let lan = Api::login(&server, LAN).await;
        let officer = Api::login(&server, "tiepnhan.sotuphap").await;
        let (id, code) = record_dossier(&lan, None).await;

        // Ten "pay" at once: one session, the same address for all ten.
        let path = format!("/api/v1/dossiers/{id}/payments");
        let starts = futures::future::join_all((0..10).map(|_| lan.post(&path, json!({})))).await;
        let mut urls: Vec<String> = starts
            .iter()
            .map(|(status, body)| {
                assert_eq!(*status, StatusCode::CREATED, "{name}: {body}");
                body["redirect_url"].as_str().unwrap().to_string()
            })
            .collect();
        urls.dedup();
        assert_eq!(urls.len(), 1, "{name}: {urls:?}");
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        assert_eq!(
            fees["payments"].as_array().unwrap().len(),
            1,
            "{name}: {fees}"
        );
        assert_eq!(fees["payments"][0]["status"], "pending");

        // An open session too old to trust is set aside for a new one when "pay" comes again.
        let mut db = server.db().await;
        sqlx::query(
            "UPDATE payments SET created_at = created_at - 3600000000 WHERE dossier_id = $1",
        )
        .bind(&id)
        .execute(&mut db)
        .await
        .unwrap();
        let (status, body) = lan.post(&path, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        let newer = body["redirect_url"].as_str().unwrap().to_string();
        assert_ne!(newer, urls[0]);
        let (_, fees) = lan.get(&format!("/api/v1/dossiers/{id}/fees")).await;
        let statuses: Vec<&str> = fees["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["abandoned", "pending"], "{name}: {fees}");

        // The payer pays both (two tabs): the first settles the fee, the second is given back.
        pay_at_gateway(&urls[0]).await;
        let fees = fees_when(&lan, &id, |f| f["paid_vnd"] == 200_000).await;
        assert_eq!(fees["payable"], false);
        pay_at_gateway(&newer).await;
        let fees = fees_when(&lan, &id, |f| {
            f["payments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["status"] == "refunding")
        })
        .await;
        assert_eq!(fees["paid_vnd"], 200_000, "{name}: paid once: {fees}");
        assert!(
            refunds_of(&sim).await.is_empty(),
            "not before the outbox runs"
        );
        // The gateway is down at first: the refund waits and is tried again.
        faults(&sim, "gateway", json!({"error_rate": 1.0})).await;
        server.run_due_jobs().await;
        assert!(refunds_of(&sim).await.is_empty());
        faults(&sim, "gateway", json!({})).await;
        server.run_due_jobs().await;
        server.run_due_jobs().await;
        let refunds = refunds_of(&sim).await;
        assert_eq!(refunds.len(), 1, "{name}: refunded once: {refunds:?}");
        assert_eq!(refunds[0]["amount_vnd"], 200_000);

        // The citizen and the agency both see it: the payment and the history say so.
        for who in [&lan, &officer] {
            let (_, fees) = who.get(&format!("/api/v1/dossiers/{id}/fees")).await;
            let refunded: Vec<&Value> = fees["payments"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["status"] == "refunded")
                .collect();
            assert_eq!(refunded.len(), 1, "{name}: {fees}");
            assert_eq!(refunded[0]["status_label"], "Nộp thừa – đã hoàn trả");
            assert!(refunded[0]["refunded_at"].is_string());
            assert_eq!(fees["paid_vnd"], 200_000);
            let (_, view) = who.get(&format!("/api/v1/dossiers/{id}")).await;
            let events: Vec<&Value> = view["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "fee_refunded")
                .collect();
            assert_eq!(events.len(), 1, "{name}: {view}");
            assert_eq!(events[0]["label"], "Đã hoàn trả khoản nộp thừa");
            assert_eq!(view["history_intact"], true);
        }
        let page = page_login(&server, LAN).await;
        let html = page_html(&page, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains("Nộp thừa – đã hoàn trả"), "{html}");
        assert!(html.contains("Đã hoàn trả khoản nộp thừa"));
        assert_eq!(fee_events(&lan, &id).await, 1);

        // More runs, a repeated notice: nothing more is refunded or recorded.
        server.run_due_jobs().await;
        assert_eq!(refunds_of(&sim).await.len(), 1);
        assert!(code.starts_with("000."), "{code}");
    }
}
