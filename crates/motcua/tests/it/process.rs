//! The internal process (BPMN) running under real dossiers, over real HTTP, on SQLite and
//! PostgreSQL: steps in order, a consultation answered by another agency, appraisal and approval
//! gated by their steps, sending back, and process versions uploaded by an administrator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A submitted TP-01 (criminal record certificate) dossier at the Department of Justice,
/// received at the desk; returns its id.
async fn received_record_dossier(server: &Server) -> String {
    let citizen = Api::login(server, MINH).await;
    let agency = citizen.agency_for("TP-01", "Tư pháp").await;
    let (status, body) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "TP-01", "agency_id": agency, "submit": true,
                   "form": {"record_type": "Phiếu số 1", "purpose": "Xin việc", "copies": "1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let desk = Api::login(server, "tiepnhan.sotuphap").await;
    let (status, body) = desk.act(&id, "receive", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

fn waiting(process: &Value) -> Vec<String> {
    let mut v: Vec<String> = process["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["node"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

async fn step(api: &Api, id: &str, node: &str, note: Option<&str>) -> (StatusCode, Value) {
    api.post(
        &format!("/api/v1/dossiers/{id}/steps/{node}"),
        json!({ "note": note }),
    )
    .await
}

#[tokio::test]
async fn a_dossier_follows_its_process_with_a_consultation_of_another_agency() {
    for server in servers() {
        let id = received_record_dossier(server).await;
        let specialist = Api::login(server, "chuyenvien.sotuphap").await;
        let police = Api::login(server, "chuyenvien.congantinh").await;
        let leader = Api::login(server, "lanhdao.sotuphap").await;
        let process_path = format!("/api/v1/dossiers/{id}/process");

        let (status, p) = specialist.get(&process_path).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(waiting(&p), ["Activity_check"], "{}", server.name);
        assert_eq!(p["steps"][0]["can_complete"], true);
        assert!(
            p["steps"][0]["due_at"].is_string(),
            "each step has its deadline"
        );
        let svg = p["svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("data-element-id=\"Activity_check\""));

        // Appraisal is a later step: refused now, nothing written.
        let (status, body) = specialist.act(&id, "appraise", None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "process_step");

        // Nobody else may look at or complete the step.
        let citizen = Api::login(server, MINH).await;
        assert_eq!(citizen.get(&process_path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            step(&citizen, &id, "Activity_check", None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            police.get(&process_path).await.0,
            StatusCode::NOT_FOUND,
            "not consulted yet"
        );
        let desk = Api::login(server, "tiepnhan.sotuphap").await;
        assert_eq!(
            step(&desk, &id, "Activity_check", None).await.0,
            StatusCode::FORBIDDEN,
            "the desk officer is not the specialist"
        );

        let (status, body) = step(&specialist, &id, "Activity_check", Some("Đủ")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, p) = specialist.get(&process_path).await;
        assert_eq!(
            waiting(&p),
            ["Activity_police_lookup", "Activity_registry_lookup"],
            "the consultation runs beside the department's own look-up"
        );
        let consult = p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["node"] == "Activity_police_lookup")
            .unwrap();
        assert_eq!(consult["is_consultation"], true);
        assert_eq!(consult["can_complete"], false, "the police answer it");
        assert!(
            consult["agency_name"]
                .as_str()
                .unwrap()
                .contains("Công an tỉnh")
        );
        assert_eq!(
            step(&specialist, &id, "Activity_police_lookup", Some("x"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );

        // The police see the dossier while their opinion is asked, and must write one.
        let (status, _) = police.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = step(&police, &id, "Activity_police_lookup", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["note"].is_string());
        let (status, _) = police.act(&id, "appraise", None).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
        let opinion = "Không có án tích trong cơ sở dữ liệu của Công an tỉnh.";
        let (status, body) = step(&police, &id, "Activity_police_lookup", Some(opinion)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(
            police.get(&format!("/api/v1/dossiers/{id}")).await.0,
            StatusCode::NOT_FOUND,
            "after answering, the police no longer see it"
        );

        let (_, p) = specialist.get(&process_path).await;
        assert_eq!(waiting(&p), ["Activity_registry_lookup"], "the join waits");
        assert_eq!(
            step(&specialist, &id, "Activity_registry_lookup", None)
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        let (_, p) = specialist.get(&process_path).await;
        assert_eq!(waiting(&p), ["Activity_appraise"]);
        assert_eq!(
            step(&specialist, &id, "Activity_appraise", None).await.0,
            StatusCode::CONFLICT,
            "a step bound to an action is done by that action"
        );
        assert_eq!(
            specialist.act(&id, "appraise", None).await.0,
            StatusCode::OK
        );
        let (_, p) = leader.get(&process_path).await;
        assert_eq!(waiting(&p), ["Activity_approve"]);

        // Sent back: the process returns to the appraisal step.
        assert_eq!(
            leader
                .act(&id, "send_back", Some("Ghi rõ mục đích"))
                .await
                .0,
            StatusCode::OK
        );
        let (_, p) = specialist.get(&process_path).await;
        assert_eq!(waiting(&p), ["Activity_appraise"]);
        assert_eq!(
            specialist.act(&id, "appraise", None).await.0,
            StatusCode::OK
        );
        let (status, _) = leader
            .upload(
                &format!("/api/v1/dossiers/{id}/result"),
                &[],
                "phieu-ly-lich-tu-phap.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(leader.act(&id, "approve", None).await.0, StatusCode::OK);
        let (_, p) = leader.get(&process_path).await;
        assert_eq!(p["ended"], true);
        assert!(waiting(&p).is_empty());

        // The history carries each step and the police's answer.
        let (_, d) = specialist.get(&format!("/api/v1/dossiers/{id}")).await;
        let events = d["events"].as_array().unwrap();
        let answer = events
            .iter()
            .find(|e| e["kind"] == "opinion_given")
            .expect("opinion in the history");
        assert_eq!(answer["reason"], opinion);
        assert!(answer["detail"].as_str().unwrap().contains("Công an tỉnh"));
        assert_eq!(
            events
                .iter()
                .filter(|e| e["kind"] == "step_completed")
                .count(),
            2
        );
        assert_eq!(d["history_intact"], true);
    }
}

#[tokio::test]
async fn refusing_a_dossier_ends_its_process() {
    for server in servers() {
        let id = received_record_dossier(server).await;
        let leader = Api::login(server, "lanhdao.sotuphap").await;
        let (status, body) = leader
            .act(&id, "stop_processing", Some("Người yêu cầu đề nghị dừng"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, p) = leader.get(&format!("/api/v1/dossiers/{id}/process")).await;
        assert_eq!(p["ended"], true);
        assert!(waiting(&p).is_empty());
    }
}

#[tokio::test]
async fn administrators_upload_process_versions_and_running_dossiers_keep_theirs() {
    for server in servers() {
        let before = received_record_dossier(server).await;
        let admin = Api::login(server, "quantri").await;
        let path = "/api/v1/procedures/TP-01/process";
        let post = |api: &Api, body: String| {
            api.http
                .post(api.url(path))
                .bearer_auth(&api.token)
                .header("content-type", "application/xml")
                .body(body)
                .send()
        };
        let original = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/processes/TP-01.bpmn"
        ))
        .unwrap();

        // Wrong people are refused.
        for login in [MINH, "lanhdao.sotuphap", "giamsat"] {
            let who = Api::login(server, login).await;
            let res = post(&who, original.clone()).await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
        }

        // A broken file is refused with its problems by line; nothing is stored.
        let broken = original
            .replace(
                "bpmn:userTask id=\"Activity_check\"",
                "bpmn:scriptTask id=\"Activity_check\"",
            )
            .replace(
                "</bpmn:userTask>\n    <bpmn:userTask id=\"Activity_police_lookup\"",
                "</bpmn:scriptTask>\n    <bpmn:userTask id=\"Activity_police_lookup\"",
            );
        let res = post(&admin, broken).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.unwrap();
        let lines = body["error"]["fields"]["bpmn"].as_str().unwrap();
        assert!(
            lines.contains("Dòng ") && lines.contains("scriptTask"),
            "{lines}"
        );
        let res = post(&admin, "<bpmn:definitions".into()).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let renamed = original.replace(
            "Lập Phiếu lý lịch tư pháp, trình ký",
            "Lập Phiếu, trình lãnh đạo ký",
        );
        let res = post(&admin, renamed).await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        let version = body["version"].as_i64().unwrap();
        assert!(version >= 2);
        let (_, versions) = admin.get(path).await;
        assert_eq!(versions[0]["version"], version);

        let after = received_record_dossier(server).await;
        let specialist = Api::login(server, "chuyenvien.sotuphap").await;
        let (_, old) = specialist
            .get(&format!("/api/v1/dossiers/{before}/process"))
            .await;
        let (_, new) = specialist
            .get(&format!("/api/v1/dossiers/{after}/process"))
            .await;
        assert!(old["version"].as_i64().unwrap() < version, "{old}");
        assert_eq!(new["version"], version);
    }
}

#[tokio::test]
async fn pages_show_the_process_and_complete_steps() {
    for server in servers() {
        let id = received_record_dossier(server).await;
        let base = &server.base;
        let specialist = page_login(server, "chuyenvien.sotuphap").await;
        let html = page_html(&specialist, &format!("{base}/dossiers/{id}")).await;
        assert!(html.contains("Quy trình nội bộ") && html.contains("<svg"));
        assert!(html.contains(&format!("/dossiers/{id}/steps/Activity_check")));
        let csrf = csrf_of(&html);
        let res = specialist
            .post(format!("{base}/dossiers/{id}/steps/Activity_check"))
            .form(&[("note", "Đủ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
        let res = specialist
            .post(format!("{base}/dossiers/{id}/steps/Activity_check"))
            .form(&[("csrf", csrf.as_str()), ("note", "Đủ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // The police find the dossier in their queue and answer from the page.
        let police = page_login(server, "chuyenvien.congantinh").await;
        let queue = page_html(&police, &format!("{base}/dossiers")).await;
        assert!(queue.contains(&format!("/dossiers/{id}")), "in the queue");
        let html = page_html(&police, &format!("{base}/dossiers/{id}")).await;
        assert!(html.contains("Gửi ý kiến"));
        let csrf = csrf_of(&html);
        let res = police
            .post(format!("{base}/dossiers/{id}/steps/Activity_police_lookup"))
            .form(&[("csrf", csrf.as_str()), ("note", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("Vui lòng nhập ý kiến"));

        let admin = page_login(server, "quantri").await;
        let html = page_html(&admin, &format!("{base}/admin/procedures/XD-01")).await;
        assert!(html.contains("<svg") && html.contains("Tải lên phiên bản mới"));
        let res = specialist
            .get(format!("{base}/admin/procedures/XD-01"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
}
