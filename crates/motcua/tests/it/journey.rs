//! The whole dossier journey through the JSON API, on every backend: file, supplement, receive,
//! appraise, approve with a result, return, download, rate; the history records every step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn dossier_journey_end_to_end_through_the_api() {
    for server in servers() {
        let citizen = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        let leader = Api::login(server, "lanhdao.ubnd5443").await;

        // Citizen files; a missing required field comes back next to the field, draft kept.
        let agency = citizen.agency_for("HT-01", "Phan Đình Phùng").await;
        let mut form = birth_form();
        form["child_full_name"] = json!("");
        form["mother_personal_id"] = json!("12345");
        let (status, body) = citizen
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": agency, "form": form}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = body["id"].as_str().unwrap().to_string();
        let (status, body) = citizen.act(&id, "submit", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", server.name);
        let fields = &body["error"]["fields"];
        assert!(
            fields["child_full_name"]
                .as_str()
                .unwrap()
                .contains("Họ, chữ đệm và tên của trẻ")
        );
        assert!(
            fields["mother_personal_id"]
                .as_str()
                .unwrap()
                .contains("12 chữ số")
        );
        assert!(
            fields["file_2"]
                .as_str()
                .unwrap()
                .contains("Giấy chứng sinh")
        );
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["state"], "draft");
        assert_eq!(
            view["form"]["child_birth_place"], "Bệnh viện Đa khoa Trung ương Thái Nguyên",
            "typed value kept"
        );

        // Fix and attach, then submit: a code in the legal shape.
        assert_eq!(
            citizen
                .put(
                    &format!("/api/v1/dossiers/{id}/form"),
                    json!({"form": birth_form()})
                )
                .await,
            StatusCode::NO_CONTENT
        );
        let (status, att) = citizen
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "giấy chứng sinh.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{att}");
        let (status, body) = citizen.act(&id, "submit", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["code"].as_str().unwrap().to_string();
        assert!(code.starts_with("000.01.01.H19-"), "{code}");
        assert_eq!(code.len(), "000.01.01.H19-261123-0001".len());

        // Intake asks for a supplement; the citizen supplements and resubmits.
        let (status, _) = intake
            .act(
                &id,
                "request_supplement",
                Some("Giấy chứng sinh bị mờ, vui lòng chụp lại"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = citizen
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "chung-sinh-ro.pdf",
                b"%PDF-1.4\n% ban chup lai, ro hon\n%%EOF\n",
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = citizen.act(&id, "resubmit", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["code"], code.as_str(), "same code after resubmission");

        // Receive (due date set), appraise, approve with a result, return.
        let (status, _) = intake.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::OK);
        let (_, view) = intake.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["state"], "received");
        assert!(view["due_at"].is_string());
        assert_eq!(view["applicant_name"], "Nguyễn Thị Lan");
        // Once only: identity facts came from the population registry, with their source, and
        // only those the component names (no phone, no e-mail).
        let identity = view["identity"].as_array().unwrap();
        let keys: Vec<&str> = identity
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "full_name",
                "birth_date",
                "sex",
                "personal_id",
                "permanent_address"
            ]
        );
        assert!(
            identity
                .iter()
                .all(|f| f["source"] == "CSDL quốc gia về dân cư")
        );
        assert_eq!(identity[3]["value"], LAN);
        assert!(
            !view.to_string().contains("0912345678")
                && !view.to_string().contains("lan@example.vn")
        );
        let (status, body) = leader.act(&id, "approve", None).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "leader cannot approve before appraisal: {body}"
        );
        let (status, _) = specialist.act(&id, "appraise", Some("Đủ điều kiện")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = leader.act(&id, "approve", None).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "approval needs a result: {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("tệp kết quả")
        );
        let result = b"%PDF-1.4\n% Giay khai sinh ban dien tu\n%%EOF\n";
        let (status, _) = leader
            .upload(
                &format!("/api/v1/dossiers/{id}/result"),
                &[],
                "giay-khai-sinh.pdf",
                result,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = leader.act(&id, "approve", None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = intake.act(&id, "return_result", None).await;
        assert_eq!(status, StatusCode::OK);

        // Locked after return: no official action is possible any more.
        let (status, _) = intake.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, view) = intake.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["actions"], json!([]));

        // The citizen sees the full history, downloads the result, rates once.
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["state"], "returned");
        assert_eq!(view["national_status"], 10);
        assert_eq!(view["history_intact"], true);
        let kinds: Vec<&str> = view["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "created",
                "form_updated",
                "file_attached",
                "submit",
                "request_supplement",
                "file_attached",
                "resubmit",
                "receive",
                "appraise",
                "result_attached",
                "approve",
                "return_result"
            ]
        );
        let supplement = &view["events"][4];
        assert_eq!(
            supplement["reason"],
            "Giấy chứng sinh bị mờ, vui lòng chụp lại"
        );
        assert_eq!(supplement["actor_role"], "Công chức tiếp nhận");
        let result_file = view["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["purpose"] == "result")
            .unwrap();
        assert_eq!(result_file["sha256"], motcua_files_sha(result));
        let res = citizen
            .http
            .get(citizen.url(&format!(
                "/api/v1/files/{}",
                result_file["id"].as_str().unwrap()
            )))
            .bearer_auth(&citizen.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), result);
        let (status, _) = citizen
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                json!({"action": "rate", "score": 3, "reason": "Nhanh"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = citizen
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                json!({"action": "rate", "score": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "rated once only");
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["rating"], 3);

        // Every official look at the citizen's data is on the citizen's access log.
        let (status, log) = citizen.get("/api/v1/me/access-log").await;
        assert_eq!(status, StatusCode::OK);
        let log = log.as_array().unwrap();
        let views_of_this = log
            .iter()
            .filter(|e| e["dossier_code"] == code.as_str() && e["action"] == "Xem hồ sơ")
            .count();
        assert!(views_of_this >= 1, "{log:?}");
        assert!(log.iter().any(|e| e["actor_role"] == "Công chức tiếp nhận"));
        let (status, _) = intake.get("/api/v1/me/access-log").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Public status by code: progress, no personal data.
        let res = client()
            .get(format!("{}/api/v1/status/{code}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        assert!(text.contains("Đã trả kết quả"));
        for secret in ["Nguyễn Thị Lan", LAN, "Nguyễn Minh An", "mờ"] {
            assert!(!text.contains(secret), "{secret} leaked in public status");
        }
        let res = client()
            .get(format!("{}/status?code={code}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("Đăng ký khai sinh") && !html.contains("Nguyễn Thị Lan"));
    }
}

fn motcua_files_sha(bytes: &[u8]) -> String {
    use sha2_hex::hex_sha256;
    hex_sha256(bytes)
}

mod sha2_hex {
    /// SHA-256 computed by the system's `sha256sum`, independent of the code under test.
    pub fn hex_sha256(bytes: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn refusal_and_withdrawal_close_the_dossier_with_a_reason() {
    for server in servers() {
        let citizen = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let (id, _) = submitted_birth_dossier(&citizen).await;
        let (status, body) = intake.act(&id, "refuse", Some("  ")).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a refusal needs a reason: {body}"
        );
        let (status, _) = intake
            .act(&id, "refuse", Some("Không thuộc thẩm quyền"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["state"], "refused");
        assert_eq!(view["national_status"], 3);
        assert!(view["finished_at"].is_string());

        let (id2, _) = submitted_birth_dossier(&citizen).await;
        let (status, _) = citizen.act(&id2, "withdraw", Some("Nộp nhầm nơi")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = intake.act(&id2, "receive", None).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn parallel_submissions_get_distinct_codes() {
    for server in servers() {
        let citizen = Api::login(server, MINH).await;
        let agency = citizen.agency_for("HT-04", "Gia Sàng").await;
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let http = citizen.http.clone();
            let url = citizen.url("/api/v1/dossiers");
            let token = citizen.token.clone();
            let agency = agency.clone();
            tasks.push(tokio::spawn(async move {
                let body = json!({"procedure_code": "HT-04", "agency_id": agency,
                                  "form": {"event_type": "Khai sinh", "copies": "2"}, "submit": true});
                let res = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
                let v: serde_json::Value = res.json().await.unwrap();
                v["code"].as_str().unwrap().to_string()
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "{}: duplicate codes", server.name);
    }
}

#[tokio::test]
async fn filing_and_submitting_in_one_request_writes_both_or_keeps_the_draft() {
    for server in servers() {
        let name = server.name;
        let citizen = Api::login(server, MINH).await;
        let agency = citizen.agency_for("HT-04", "Gia Sàng").await;
        // Complete: the draft and its submission in one go, both in the history.
        let (status, filed) = citizen
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-04", "agency_id": agency,
                       "form": {"event_type": "Khai sinh", "copies": "2"}, "submit": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {filed}");
        let id = filed["id"].as_str().unwrap();
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["code"], filed["code"], "{name}");
        let kinds: Vec<&str> = view["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["created", "submit"], "{name}: {view}");
        // Incomplete: refused with every problem, and the draft kept as typed to be mended.
        let (status, refused) = citizen
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-04", "agency_id": agency,
                       "form": {"copies": "2"}, "submit": true}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {refused}"
        );
        let fields = &refused["error"]["fields"];
        assert!(fields["event_type"].is_string(), "{name}: {refused}");
        let draft = fields["dossier_id"].as_str().unwrap();
        let (status, view) = citizen.get(&format!("/api/v1/dossiers/{draft}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: the draft is kept");
        assert_eq!(view["state"], "draft", "{name}: {view}");
        assert!(view["code"].is_null(), "{name}: not submitted");
        assert_eq!(view["form"]["copies"], "2", "{name}: {view}");
    }
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_size() {
    for server in servers() {
        let citizen = Api::login(server, LAN).await;
        let agency = citizen.agency_for("HT-01", "Phan Đình Phùng").await;
        let (_, body) = citizen
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": agency, "form": birth_form()}),
            )
            .await;
        let id = body["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/dossiers/{id}/attachments");
        let (status, body) = citizen
            .upload(
                &path,
                &[("component_index", "2")],
                "giay.pdf",
                b"MZ\x90\x00this is an exe",
            )
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("PDF"));
        let mut big = PDF.to_vec();
        big.resize(10 * 1024 * 1024 + 1, b' ');
        let (status, _) = citizen
            .upload(&path, &[("component_index", "2")], "big.pdf", &big)
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let (status, _) = citizen
            .upload(&path, &[("component_index", "1")], "form.pdf", PDF)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "component 1 is the form, not an upload"
        );
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
        ];
        let (status, _) = citizen
            .upload(&path, &[("component_index", "2")], "anh.png", &png)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        let files = view["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 1, "refused files are not kept");
        assert_eq!(files[0]["content_type"], "image/png");
        // Stored sealed: the PNG signature is nowhere in the files folder.
        let mut found_plain = false;
        for entry in walk(&server.data_dir.join("files")) {
            let bytes = std::fs::read(entry).unwrap();
            found_plain |= bytes.windows(4).any(|w| w == b"\x89PNG");
        }
        assert!(!found_plain, "attachments are encrypted at rest");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[tokio::test]
async fn health_and_openapi_answer() {
    for server in servers() {
        let res = client()
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let doc: serde_json::Value = client()
            .get(format!("{}/api/v1/openapi.json", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/api/v1/session",
            "/api/v1/procedures",
            "/api/v1/procedures/{code}",
            "/api/v1/status/{code}",
            "/api/v1/dossiers",
            "/api/v1/dossiers/{id}",
            "/api/v1/dossiers/{id}/form",
            "/api/v1/dossiers/{id}/attachments",
            "/api/v1/dossiers/{id}/result",
            "/api/v1/dossiers/{id}/actions",
            "/api/v1/files/{id}",
        ] {
            assert!(paths.contains_key(p), "{p} missing from OpenAPI");
        }
        let xd: serde_json::Value = client()
            .get(format!("{}/api/v1/procedures/XD-01", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            xd["definition"]["supplement_clock"], "pause",
            "configured per procedure"
        );
        let ht: serde_json::Value = client()
            .get(format!("{}/api/v1/procedures/HT-01", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            ht["definition"]["supplement_clock"], "restart",
            "the default"
        );
        let found: Vec<serde_json::Value> = client()
            .get(format!(
                "{}/api/v1/procedures?q=dang%20ky%20khai%20sinh",
                server.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(found.iter().any(|p| p["name"] == "Đăng ký khai sinh"));
        assert!(found.iter().all(|p| {
            p["name"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("đăng ký khai sinh")
        }));
    }
}

#[tokio::test]
async fn consultation_payment_apology_and_stop_follow_the_law() {
    for server in servers() {
        let citizen = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        let leader = Api::login(server, "lanhdao.ubnd5443").await;
        let (id, _) = submitted_birth_dossier(&citizen).await;
        assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);

        // Appraisal finds something missing (within 3 working days): back to the applicant.
        let (status, body) = specialist
            .act(
                &id,
                "request_supplement_in_appraisal",
                Some("Thiếu xác nhận nơi sinh"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(citizen.act(&id, "resubmit", None).await.0, StatusCode::OK);
        assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);

        // Consultation and its answer; a financial obligation and its payment.
        assert_eq!(
            specialist
                .act(&id, "consult", Some("Xin ý kiến Công an phường"))
                .await
                .0,
            StatusCode::OK
        );
        let (_, view) = specialist.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(
            (view["state"].as_str(), view["national_status"].as_i64()),
            (Some("in_consultation"), Some(4))
        );
        assert_eq!(
            specialist.act(&id, "record_opinion", None).await.0,
            StatusCode::CONFLICT,
            "the answer must be written down"
        );
        assert_eq!(
            specialist
                .act(&id, "record_opinion", Some("Thống nhất"))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            specialist
                .act(&id, "request_payment", Some("Lệ phí 8.000 đồng"))
                .await
                .0,
            StatusCode::OK
        );
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["national_status"], 6);
        assert_eq!(
            intake.act(&id, "confirm_payment", None).await.0,
            StatusCode::OK
        );

        // Apology with a new date: later than the current one, once only, on a working day.
        let (_, view) = intake.get(&format!("/api/v1/dossiers/{id}")).await;
        let old_due = view["due_at"].as_str().unwrap().to_string();
        let apologize = |date: &str| json!({"action": "apologize", "reason": "Cần xác minh thêm", "new_due_date": date});
        let (status, body) = intake
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                apologize("2099-01-03"),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a Saturday: {body}"
        );
        let (status, body) = intake
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                apologize("2099-01-05"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(
            view["due_at"], "2099-01-05T10:00:00Z",
            "close of that working day, 17:00 in Vietnam"
        );
        assert_eq!(view["due_extended"], true);
        assert_ne!(view["due_at"].as_str().unwrap(), old_due);
        let (status, body) = intake
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                apologize("2099-01-06"),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("một lần")
        );

        // The leader stops processing with reasons; the dossier is closed.
        assert_eq!(
            leader.act(&id, "stop_processing", None).await.0,
            StatusCode::CONFLICT
        );
        assert_eq!(
            leader
                .act(&id, "stop_processing", Some("Người nộp đề nghị dừng"))
                .await
                .0,
            StatusCode::OK
        );
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(
            (view["state"].as_str(), view["national_status"].as_i64()),
            (Some("stopped"), Some(8))
        );
        assert!(view["finished_at"].is_string());
        assert_eq!(view["history_intact"], true);
        assert_eq!(
            specialist.act(&id, "consult", Some("x")).await.0,
            StatusCode::CONFLICT
        );
    }
}
