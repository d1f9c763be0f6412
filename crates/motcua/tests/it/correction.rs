//! A returned dossier is locked; only a leader's recorded correction changes it. Over real HTTP
//! on both databases: nothing else touches a returned dossier (no action, no result, no form, no
//! file), a citizen, a specialist and another agency's leader cannot correct, a correction needs
//! a reason and a new file, and a correction revokes the old signed result (the public check says
//! so, for the listing and for an uploaded copy) while the corrected one is valid. The applicant
//! is told and the national portal gets the event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::Integrations;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const RESULT: &[u8] = b"%PDF-1.4\n% Trich luc khai sinh, ngay sinh sai\n%%EOF\n";
const CORRECTED: &[u8] = b"%PDF-1.4\n% Trich luc khai sinh, da dinh chinh\n%%EOF\n";
const CORRECTED_AGAIN: &[u8] = b"%PDF-1.4\n% Trich luc khai sinh, dinh chinh lan hai\n%%EOF\n";
const REASON: &str = "Sai ngày sinh của người được đăng ký khai sinh";

/// A birth registration taken to "returned" with `RESULT` as its signed result; (id, code).
async fn returned(server: &Server) -> (String, String) {
    let lan = Api::login(server, LAN).await;
    let intake = Api::login(server, "tiepnhan.ubnd5443").await;
    let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
    let leader = Api::login(server, "lanhdao.ubnd5443").await;
    let (id, code) = submitted_birth_dossier(&lan).await;
    assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);
    assert_eq!(
        specialist.act(&id, "appraise", Some("Đủ")).await.0,
        StatusCode::OK
    );
    let path = format!("/api/v1/dossiers/{id}/result");
    let (status, _) = leader.upload(&path, &[], "trich-luc.pdf", RESULT).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(leader.act(&id, "approve", None).await.0, StatusCode::OK);
    assert_eq!(
        intake.act(&id, "return_result", None).await.0,
        StatusCode::OK
    );
    (id, code)
}

async fn correct(who: &Api, id: &str, reason: Option<&str>, bytes: &[u8]) -> (StatusCode, Value) {
    let fields: Vec<(&str, &str)> = reason.map(|r| ("reason", r)).into_iter().collect();
    who.upload(
        &format!("/api/v1/dossiers/{id}/correction"),
        &fields,
        "trich-luc-dinh-chinh.pdf",
        bytes,
    )
    .await
}

async fn public_check(server: &Server, code: &str) -> Value {
    let res = client()
        .get(format!("{}/api/v1/verify/{code}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn file_form(bytes: &[u8]) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("ket-qua.pdf"),
    )
}

/// What the JSON check of an uploaded copy finds.
async fn api_file_check(server: &Server, code: &str, bytes: &[u8]) -> String {
    let res = client()
        .post(format!("{}/api/v1/verify/{code}", server.base))
        .multipart(file_form(bytes))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["check"].as_str().unwrap().to_string()
}

/// What the verification page says of an uploaded copy.
async fn page_file_check(server: &Server, code: &str, bytes: &[u8]) -> String {
    let res = client()
        .post(format!("{}/verify/{code}", server.base))
        .multipart(file_form(bytes))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The dossier's history kinds and the result check, to prove nothing changed.
async fn snapshot(who: &Api, server: &Server, id: &str, code: &str) -> (Value, Value) {
    let (_, view) = who.get(&format!("/api/v1/dossiers/{id}")).await;
    let kinds: Vec<Value> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    (
        json!({"state": view["state"], "kinds": kinds, "form": view["form"],
               "attachments": view["attachments"].as_array().unwrap().len()}),
        public_check(server, code).await,
    )
}

#[tokio::test]
async fn nothing_but_a_leaders_correction_changes_a_returned_dossier() {
    for server in servers() {
        let (id, code) = returned(server).await;
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        let leader = Api::login(server, "lanhdao.ubnd5443").await;
        let before = snapshot(&leader, server, &id, &code).await;
        assert_eq!(before.0["state"], "returned");
        assert_eq!(before.1["results"][0]["check"], "valid");

        // No other action, by anyone of the agency or the applicant.
        for (who, action) in [
            (&intake, "receive"),
            (&intake, "return_result"),
            (&intake, "apologize"),
            (&specialist, "appraise"),
            (&specialist, "request_supplement_in_appraisal"),
            (&leader, "approve"),
            (&leader, "send_back"),
            (&leader, "stop_processing"),
            (&lan, "withdraw"),
            (&lan, "resubmit"),
        ] {
            let (status, body) = who.act(&id, action, Some("x")).await;
            assert!(
                matches!(status, StatusCode::CONFLICT | StatusCode::FORBIDDEN)
                    || (action == "resubmit" && status == StatusCode::UNPROCESSABLE_ENTITY),
                "{action}: {status} {body}"
            );
        }
        // No new result outside a correction, no form change, no new file.
        let (status, body) = leader
            .upload(
                &format!("/api/v1/dossiers/{id}/result"),
                &[],
                "khac.pdf",
                CORRECTED,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut form = birth_form();
        form["child_full_name"] = json!("Nguyễn Minh Anh");
        assert_eq!(
            lan.put(
                &format!("/api/v1/dossiers/{id}/form"),
                json!({"form": form})
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let (status, _) = lan
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "moi.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // A correction as a plain action, without its file, is refused too.
        let (status, body) = leader.act(&id, "correct_result", Some(REASON)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["file"].is_string(), "{body}");

        // Wrong people cannot correct: the applicant, the specialist and the intake officer are
        // refused, another agency's leader and another citizen do not even see the dossier.
        let far_leader = Api::login(server, "lanhdao.ubnd5467").await;
        let minh = Api::login(server, MINH).await;
        for (who, expected) in [
            (&lan, StatusCode::FORBIDDEN),
            (&specialist, StatusCode::FORBIDDEN),
            (&intake, StatusCode::FORBIDDEN),
            (&far_leader, StatusCode::NOT_FOUND),
            (&minh, StatusCode::NOT_FOUND),
        ] {
            let (status, body) = correct(who, &id, Some(REASON), CORRECTED).await;
            assert_eq!(status, expected, "{body}");
        }

        // The leader must say why and bring a new file.
        for reason in [None, Some("   ")] {
            let (status, body) = correct(&leader, &id, reason, CORRECTED).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(
                body["error"]["message"],
                "Vui lòng nêu rõ lý do đính chính kết quả."
            );
            assert!(body["error"]["fields"]["reason"].is_string());
        }
        let (status, body) = correct(&leader, &id, Some(REASON), RESULT).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("trùng với kết quả đã ký"),
            "{body}"
        );
        assert_eq!(
            snapshot(&leader, server, &id, &code).await,
            before,
            "nothing changed"
        );

        // The correction: the old result is revoked, the corrected one signed and valid.
        let (status, body) = correct(&leader, &id, Some(REASON), CORRECTED).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let new_attachment = body["id"].as_str().unwrap().to_string();
        let v = public_check(server, &code).await;
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "{v}");
        assert_eq!(
            (&results[0]["sha256"], &results[0]["check"]),
            (&json!(sha256(RESULT)), &json!("revoked")),
            "{v}"
        );
        assert!(results[0]["revoked_at"].is_string(), "{v}");
        assert_eq!(
            results[0]["check_label"],
            "Đã bị thu hồi, thay bằng bản đính chính"
        );
        assert_eq!(
            (&results[1]["sha256"], &results[1]["check"]),
            (&json!(sha256(CORRECTED)), &json!("valid")),
            "{v}"
        );
        assert!(results[1]["revoked_at"].is_null());
        assert_eq!(api_file_check(server, &code, RESULT).await, "revoked");
        assert_eq!(api_file_check(server, &code, CORRECTED).await, "valid");
        assert_eq!(
            api_file_check(server, &code, b"%PDF-1.4\n%%EOF\n").await,
            "not_this_result"
        );
        let html = page_file_check(server, &code, RESULT).await;
        assert!(
            html.contains("<strong>Đã bị thu hồi, thay bằng bản đính chính</strong>"),
            "{html}"
        );
        assert!(html.contains("thu hồi lúc"), "{html}");
        let html = page_file_check(server, &code, CORRECTED).await;
        assert!(html.contains("<strong>Hợp lệ"), "{html}");

        // The dossier stays returned, its history records who corrected and why, and is intact.
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["state"], "returned");
        assert_eq!(view["history_intact"], true);
        let last = view["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], "correct_result");
        assert_eq!(last["label"], "Đính chính kết quả");
        assert_eq!(last["reason"], REASON);
        assert_eq!(last["actor_role"], "Lãnh đạo");
        let results: Vec<&Value> = view["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["purpose"] == "result")
            .collect();
        assert_eq!(results.len(), 2);
        assert!(results[0]["revoked_at"].is_string() && results[1]["revoked_at"].is_null());
        assert_eq!(results[1]["id"], new_attachment.as_str());
        // The applicant's document store now holds the corrected result, not the revoked one.
        let (_, docs) = lan.get("/api/v1/me/documents").await;
        let kept: Vec<&Value> = docs
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "result" && d["source_code"] == code.as_str())
            .collect();
        assert_eq!(kept.len(), 1, "{docs}");
        assert_eq!(kept[0]["sha256"], sha256(CORRECTED));
        // A correction is not work in the leader's queue.
        let (_, queue) = leader.get("/api/v1/dossiers").await;
        assert!(
            !queue
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == id.as_str()),
            "{queue}"
        );
    }
}

#[tokio::test]
async fn the_leader_corrects_on_the_dossier_page() {
    for server in servers() {
        let (id, code) = returned(server).await;
        let url = format!("{}/dossiers/{id}", server.base);
        // Only the leader of the handling agency is offered the form.
        for login in [LAN, "tiepnhan.ubnd5443", "chuyenvien.ubnd5443"] {
            let html = page_html(&page_login(server, login).await, &url).await;
            assert!(!html.contains("/correction"), "{login}");
        }
        let leader = page_login(server, "lanhdao.ubnd5443").await;
        let html = page_html(&leader, &url).await;
        assert!(
            html.contains(&format!("action=\"/dossiers/{id}/correction?once=")),
            "{html}"
        );
        assert!(html.contains("Lý do đính chính"));
        let csrf = csrf_of(&html);
        let form = |token: Option<&str>, reason: &str, bytes: &[u8]| {
            let mut f = reqwest::multipart::Form::new().text("reason", reason.to_string());
            if let Some(t) = token {
                f = f.text("csrf", t.to_string());
            }
            f.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("dinh-chinh.pdf"),
            )
        };
        let post = |f: reqwest::multipart::Form| {
            leader
                .post(format!("{}/dossiers/{id}/correction", server.base))
                .multipart(f)
                .send()
        };
        let res = post(form(None, REASON, CORRECTED)).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
        let res = post(form(Some(&csrf), " ", CORRECTED)).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Vui lòng nêu rõ lý do đính chính kết quả.")
        );
        let res = post(form(Some(&csrf), REASON, CORRECTED)).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page_html(&leader, &format!("{url}?done=correction")).await;
        assert!(html.contains("kết quả cũ đã bị thu hồi"), "{html}");
        assert!(html.contains("Đã thu hồi lúc"), "{html}");
        // A second correction revokes the first one's result too.
        let res = post(form(Some(&csrf), "Sai nơi sinh", CORRECTED_AGAIN))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let v = public_check(server, &code).await;
        let checks: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["check"].as_str().unwrap())
            .collect();
        assert_eq!(checks, ["revoked", "revoked", "valid"], "{v}");
        let html = page_html(&client(), &format!("{}/verify/{code}", server.base)).await;
        assert_eq!(
            html.matches("Đã bị thu hồi, thay bằng bản đính chính")
                .count(),
            2,
            "{html}"
        );
    }
}

#[tokio::test]
async fn the_applicant_is_told_and_the_portal_gets_the_correction() {
    let start = |name: &'static str, db: Option<String>| {
        let sim = own_simulators(Default::default());
        let integrations = Integrations {
            sms_url: Some(sim.clone()),
            portal_url: Some(sim.clone()),
            retry_base: Some(Duration::from_millis(50)),
            ..Integrations::default()
        };
        (start_with(name, db, integrations), sim)
    };
    let mut servers = vec![start("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        servers.push(start("postgres", Some(url)));
    }
    for (server, sim) in servers {
        let (id, code) = returned(&server).await;
        let portal_lines = || async {
            let v: Value = client()
                .get(format!("{sim}/portal/stats"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        };
        let texts = || async {
            let v: Value = client()
                .get(format!("{sim}/sms/messages"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .filter_map(|m| m["text"].as_str().map(str::to_string))
                .filter(|t| t.contains(&code))
                .collect::<Vec<_>>()
        };
        // Everything before the correction has arrived.
        server.run_due_jobs().await;
        let stats = portal_lines().await;
        assert_eq!(stats["statuses"][&code], 10, "{stats}");
        let before = stats["progress_lines"].as_u64().unwrap();
        let told_before = texts().await.len();
        assert!(told_before >= 4, "{told_before}");
        let leader = Api::login(&server, "lanhdao.ubnd5443").await;
        let (status, body) = correct(&leader, &id, Some(REASON), CORRECTED).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The correction reaches the portal and the applicant, once each.
        server.run_due_jobs().await;
        let stats = portal_lines().await;
        let told = texts().await;
        assert_eq!(
            stats["progress_lines"].as_u64().unwrap(),
            before + 1,
            "{stats}"
        );
        assert_eq!(told.len(), told_before + 1, "{told:?}");
        assert_eq!(stats["statuses"][&code], 10, "still returned");
        let last = told.last().unwrap();
        assert!(last.contains("đã được đính chính"), "{last}");
        assert!(last.contains(REASON), "{last}");
    }
}
