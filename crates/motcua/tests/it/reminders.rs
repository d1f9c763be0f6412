//! The daily reminder over real SMTP on both databases: once a dossier is received (HT-01 is
//! due the next working day, so it is "due soon"), each official of the agency gets one mail
//! that day naming it, however often the job runs; an agency with nothing due gets none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::{Integrations, MailConfig, MailSecurity};
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn mails(sim: &str) -> Vec<Value> {
    let v: Value = client()
        .get(format!("{sim}/mail/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

fn reminders_to<'a>(all: &'a [Value], who: &str) -> Vec<&'a Value> {
    all.iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Nhắc việc")
        })
        .filter(|m| {
            m["to"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t.as_str().unwrap().starts_with(who))
        })
        .collect()
}

#[tokio::test]
async fn each_official_is_reminded_once_a_day_of_what_is_due() {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let (sim, smtp) = own_simulators_with_smtp(Default::default());
        let server = start_with(
            name,
            db,
            Integrations {
                mail: Some(MailConfig {
                    host: smtp.ip().to_string(),
                    port: smtp.port(),
                    from_address: "khongtraloi@dichvucong.example.vn".into(),
                    security: MailSecurity::Plain,
                    credentials: None,
                    timeout: Duration::from_secs(10),
                }),
                ..Integrations::default()
            },
        );
        let lan = Api::login(&server, LAN).await;
        let intake = Api::login(&server, "tiepnhan.ubnd5443").await;
        // Nothing due yet: a few runs of the job remind no one.
        for _ in 0..3 {
            server.run_due_jobs().await;
        }
        assert!(reminders_to(&mails(&sim).await, "").is_empty(), "{name}");

        let (id, code) = submitted_birth_dossier(&lan).await;
        let (status, body) = intake.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let officials = [
            "tiepnhan.ubnd5443",
            "chuyenvien.ubnd5443",
            "lanhdao.ubnd5443",
        ];
        let done = server.run_due_jobs().await;
        assert_eq!(done.reminders, 1, "{name}: one agency reminded: {done:?}");
        // More runs the same day send nothing more; other agencies' officials get nothing.
        for _ in 0..3 {
            assert_eq!(server.run_due_jobs().await.reminders, 0, "{name}");
        }
        let all = mails(&sim).await;
        for o in officials {
            let got = reminders_to(&all, o);
            assert_eq!(got.len(), 1, "{name}: one reminder for {o}");
            assert!(
                got[0]["body"].as_str().unwrap().contains(&code),
                "{:?}",
                got[0]
            );
        }
        assert!(reminders_to(&all, "tiepnhan.ubnd5467").is_empty());
    }
}
