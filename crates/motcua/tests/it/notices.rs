//! Notices to the applicant by e-mail (lettre to the simulator's SMTP server) and SMS (the SMS
//! gateway simulator), over real connections on both databases: the steps the applicant must
//! know are told once each, internal steps are not, a gateway that fails is retried until the
//! notice goes through, and the queued recipients are sealed at rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::{Integrations, MailConfig, MailSecurity};
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const LAN_MAIL: &str = "lan@example.vn";
const LAN_PHONE: &str = "0912345678";

fn notifying_servers() -> Vec<(Server, String)> {
    let start = |name: &'static str, db: Option<String>| {
        let (sim, smtp) = own_simulators_with_smtp(Default::default());
        let integrations = Integrations {
            sms_url: Some(sim.clone()),
            mail: Some(MailConfig {
                host: smtp.ip().to_string(),
                port: smtp.port(),
                from_address: "khongtraloi@dichvucong.example.vn".into(),
                security: MailSecurity::Plain,
                credentials: None,
                timeout: Duration::from_secs(10),
            }),
            ..Integrations::default()
        };
        (start_with(name, db, integrations), sim)
    };
    let mut out = vec![start("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        out.push(start("postgres", Some(url)));
    }
    out
}

async fn sim_list(sim: &str, what: &str) -> Vec<Value> {
    let v: Value = client()
        .get(format!("{sim}/{what}/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

/// Runs the server's jobs, then the mails and SMS about `code` that arrived: exactly `mails`
/// and `texts` of them.
async fn told(
    server: &Server,
    sim: &str,
    code: &str,
    mails: usize,
    texts: usize,
) -> (Vec<Value>, Vec<Value>) {
    server.run_due_jobs().await;
    let about = |list: Vec<Value>, field: &str| -> Vec<Value> {
        list.into_iter()
            .filter(|m| m[field].as_str().unwrap_or_default().contains(code))
            .collect()
    };
    let m = about(sim_list(sim, "mail").await, "subject");
    let s = about(sim_list(sim, "sms").await, "text");
    assert!(
        m.len() == mails && s.len() == texts,
        "expected {mails} mails and {texts} SMS about {code}, got {m:?} and {s:?}"
    );
    (m, s)
}

#[tokio::test]
async fn the_applicant_is_told_each_step_once_and_a_failing_gateway_is_retried() {
    for (server, sim) in notifying_servers() {
        let lan = Api::login(&server, LAN).await;
        let (id, code) = submitted_birth_dossier(&lan).await;

        // Filed: a confirmation with the code, by mail and SMS.
        let (mails, texts) = told(&server, &sim, &code, 1, 1).await;
        assert_eq!(mails[0]["subject"], format!("[{code}] Đã nộp hồ sơ"));
        assert_eq!(mails[0]["to"], json!([LAN_MAIL]));
        assert!(
            mails[0]["body"]
                .as_str()
                .unwrap()
                .contains("Đăng ký khai sinh")
        );
        assert_eq!(texts[0]["to"], LAN_PHONE);

        // Received: the due date is in the notice.
        let intake = Api::login(&server, "tiepnhan.ubnd5443").await;
        let (status, _) = intake.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::OK);
        let (mails, _) = told(&server, &sim, &code, 2, 2).await;
        let received = &mails[1];
        assert_eq!(
            received["subject"],
            format!("[{code}] Hồ sơ đã được tiếp nhận")
        );
        assert!(
            received["body"]
                .as_str()
                .unwrap()
                .contains("Hẹn trả kết quả: "),
            "{received}"
        );

        // The SMS gateway fails: the mail goes, the SMS waits and goes once it is back.
        let put = |rate: f64| {
            client()
                .put(format!("{sim}/sim/faults/sms"))
                .json(&json!({"error_rate": rate}))
                .send()
        };
        assert!(put(1.0).await.unwrap().status().is_success());
        let specialist = Api::login(&server, "chuyenvien.ubnd5443").await;
        let (status, body) = specialist
            .act(
                &id,
                "request_supplement_in_appraisal",
                Some("Thiếu bản sao giấy đăng ký kết hôn của cha mẹ."),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (mails, texts) = told(&server, &sim, &code, 3, 2).await;
        assert_eq!(mails[2]["subject"], format!("[{code}] Cần bổ sung hồ sơ"));
        assert!(
            mails[2]["body"]
                .as_str()
                .unwrap()
                .contains("Thiếu bản sao giấy đăng ký kết hôn")
        );
        assert_eq!(texts.len(), 2, "the SMS has not gone yet");
        assert!(put(0.0).await.unwrap().status().is_success());
        let (_, texts) = told(&server, &sim, &code, 3, 3).await;
        assert!(texts[2]["text"].as_str().unwrap().contains("cần bổ sung"));

        // The applicant resubmits (told), an internal step is not told; nothing came twice.
        let status = lan
            .put(
                &format!("/api/v1/dossiers/{id}/form"),
                json!({"form": birth_form()}),
            )
            .await;
        assert!(status.is_success(), "{status}");
        let (status, body) = lan.act(&id, "resubmit", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = intake.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::OK);
        let (mails, texts) = told(&server, &sim, &code, 4, 4).await;
        let (status, _) = specialist.act(&id, "appraise", None).await;
        assert_eq!(status, StatusCode::OK);
        let (mails_after, texts_after) = told(&server, &sim, &code, 4, 4).await;
        assert_eq!(mails_after.len(), mails.len(), "{mails_after:?}");
        assert_eq!(texts_after.len(), texts.len());
        let subjects: Vec<String> = mails_after
            .iter()
            .map(|m| {
                m["subject"]
                    .as_str()
                    .unwrap()
                    .replace(&format!("[{code}] "), "")
            })
            .collect();
        assert_eq!(
            subjects,
            [
                "Đã nộp hồ sơ",
                "Hồ sơ đã được tiếp nhận",
                "Cần bổ sung hồ sơ",
                "Hồ sơ đã được tiếp nhận"
            ],
            "each step told once, in order"
        );

        // Recipients and texts are sealed at rest.
        if server.name == "sqlite" {
            for file in ["motcua.db", "motcua.db-wal"] {
                let bytes = std::fs::read(server.data_dir.join(file)).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(LAN_MAIL) && !text.contains(LAN_PHONE),
                    "{file}"
                );
            }
        }
    }
}
