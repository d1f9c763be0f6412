//! Once only, against the built-in population-registry simulator over real HTTP: identity facts
//! are looked up (and the look-up is in the citizen's access log), a registry failure still lets
//! the citizen file with the facts flagged for the officer, and a citizen's report that a fact is
//! wrong reaches the registry as a correction request and the officer as a notice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_app::Integrations;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn sim_get(path: &str) -> Value {
    reqwest::get(format!("{}{path}", simulators()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn registry_faults(error_rate: f64) {
    let res = reqwest::Client::new()
        .put(format!("{}/sim/faults/registry", simulators()))
        .json(&json!({"error_rate": error_rate}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn identity_comes_from_the_registry_and_survives_its_failure() {
    let servers = own_servers(|| Integrations {
        registry_url: Some(simulators().to_string()),
        ..Integrations::default()
    });
    for server in &servers {
        let base = &server.base;
        registry_faults(0.0).await;

        // 1. The registry answers: the facts are shown read-only with their source, and the
        //    look-up is in the citizen's access log with its purpose.
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{base}/procedures/HT-01/file")).await;
        assert!(html.contains("<dt>Giới tính</dt><dd>Nữ"), "{html}");
        assert!(html.contains("Nguyễn Thị Lan <span class=\"source\">(CSDL quốc gia về dân cư)"));
        assert!(!html.contains("chờ đối chiếu"));
        let lookups = sim_get("/registry/lookups").await;
        assert!(
            lookups.as_array().unwrap().iter().any(
                |l| l["personal_id"] == LAN && l["purpose"].as_str().unwrap().contains("HT-01")
            ),
            "{lookups}"
        );
        let mine = page_html(&lan, &format!("{base}/me/data")).await;
        assert!(mine.contains("Tra cứu CSDL quốc gia về dân cư"), "{mine}");
        assert!(mine.contains("Điền sẵn hồ sơ HT-01"));

        // 2. The registry fails: the citizen is told, files anyway, and the officer sees the
        //    facts flagged for checking.
        registry_faults(1.0).await;
        let minh = page_login(server, MINH).await;
        let html = page_html(&minh, &format!("{base}/procedures/HT-01/file")).await;
        assert!(
            html.contains("Chưa kết nối được Cơ sở dữ liệu quốc gia về dân cư"),
            "{html}"
        );
        assert!(html.contains("chờ đối chiếu"));
        let api = Api::login(server, MINH).await;
        let (id, _code) = submitted_birth_dossier(&api).await;
        let (_, d) = api.get(&format!("/api/v1/dossiers/{id}")).await;
        let facts = d["identity"].as_array().unwrap();
        assert!(!facts.is_empty());
        assert!(facts.iter().all(|f| f["unverified"] == true), "{d}");
        let officer = page_login(server, "tiepnhan.ubnd5443").await;
        let html = page_html(&officer, &format!("{base}/dossiers/{id}")).await;
        assert!(html.contains("Chưa đối chiếu được với CSDL dân cư – cần kiểm tra"));
        let mine = page_html(&minh, &format!("{base}/me/data")).await;
        assert!(mine.contains("Tra cứu CSDL quốc gia về dân cư (không thành công)"));

        // 3. A fact reported wrong while the registry is down waits, and is sent with the next.
        let csrf = csrf_of(&page_html(&minh, &format!("{base}/me/data")).await);
        let res = minh
            .post(format!("{base}/me/data/flags"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("fact_key", "permanent_address"),
                ("claimed", "Tổ 7, Phường Gia Sàng, tỉnh Thái Nguyên"),
                ("note", "Đã chuyển hộ khẩu tháng 9"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let mine = page_html(&minh, &format!("{base}/me/data")).await;
        assert!(
            mine.contains("Đang chờ gửi CSDL quốc gia về dân cư"),
            "{mine}"
        );
        registry_faults(0.0).await;
        let res = minh
            .post(format!("{base}/me/data/flags"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("fact_key", "full_name"),
                ("claimed", "Trần Văn Minh"),
                ("note", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let mine = page_html(&minh, &format!("{base}/me/data")).await;
        assert_eq!(mine.matches("phiếu số").count(), 2, "{mine}");
        let corrections = sim_get("/registry/corrections").await;
        assert!(
            corrections
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["personal_id"] == MINH
                    && c["field"] == "permanent_address"
                    && c["claimed_value"] == "Tổ 7, Phường Gia Sàng, tỉnh Thái Nguyên")
        );
        // The officer handling Minh's dossier sees the dispute.
        let html = page_html(&officer, &format!("{base}/dossiers/{id}")).await;
        assert!(html.contains("Người nộp báo thông tin trong CSDL chưa đúng"));
        assert!(html.contains("Tổ 7, Phường Gia Sàng"));

        // 4. Bad input keeps what was typed; the wrong people are refused.
        let res = minh
            .post(format!("{base}/me/data/flags"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("fact_key", "sex"),
                ("claimed", "  "),
                ("note", "ghi chú giữ lại"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Vui lòng nhập «Giới tính» đúng là gì."));
        assert!(html.contains("ghi chú giữ lại"));
        let res = minh
            .post(format!("{base}/me/data/flags"))
            .form(&[("csrf", "wrong"), ("fact_key", "sex"), ("claimed", "Nam")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = officer.get(format!("{base}/me/data")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = client()
            .get(format!("{base}/me/data"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    registry_faults(0.0).await;
}

#[tokio::test]
async fn registry_components_are_fetched_when_filed_and_a_silent_registry_never_blocks_filing() {
    let sim = own_simulators(Default::default());
    let servers = own_servers(|| Integrations {
        registry_url: Some(sim.clone()),
        ..Integrations::default()
    });
    let faults = |rate: f64| {
        reqwest::Client::new()
            .put(format!("{sim}/sim/faults/registry"))
            .json(&json!({"error_rate": rate}))
            .send()
    };
    for server in &servers {
        assert!(faults(0.0).await.unwrap().status().is_success());
        let lan = Api::login(server, LAN).await;
        let officer = Api::login(server, "tiepnhan.ubnd5443").await;

        // Marriage: the other party's civil status comes from the population registry.
        let agency = lan.agency_for("HT-02", "Phan Đình Phùng").await;
        let marriage = json!({
            "partner_personal_id": MINH,
            "partner_full_name": "Trần Văn Minh",
            "appointment_date": "2026-12-20"
        });
        let (status, body) = lan
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-02", "agency_id": agency, "form": marriage, "submit": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().unwrap();
        let (_, d) = officer.get(&format!("/api/v1/dossiers/{id}")).await;
        let fetched = d["fetched"].as_array().unwrap();
        assert_eq!(fetched.len(), 1, "{d}");
        assert_eq!(fetched[0]["status"], "fetched");
        assert_eq!(
            fetched[0]["component_name"],
            "Thông tin nhân thân, cư trú, tình trạng hôn nhân của bên kia"
        );
        assert!(
            fetched[0]["fields"].to_string().contains("Trần Văn Minh"),
            "{d}"
        );
        let lookups = sim_get_from(&sim, "/registry/lookups").await;
        assert!(
            lookups
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["personal_id"] == MINH
                    && l["purpose"].as_str().unwrap().contains("HT-02")),
            "{lookups}"
        );
        let page = page_login(server, "tiepnhan.ubnd5443").await;
        let html = page_html(&page, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains("Thành phần lấy từ cơ sở dữ liệu"), "{html}");
        assert!(html.contains("Đã lấy từ cơ sở dữ liệu"));

        // Unemployment benefit: the applicant's own social insurance book, logged for them.
        let agency = lan.agency_for("LD-01", "Nội vụ").await;
        let (_, body) = lan
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "LD-01", "agency_id": agency, "form": {
                    "last_employer": "Công ty TNHH May mặc Phú Bình",
                    "contract_end_date": "2026-11-15",
                    "bank_account": "0123456789"
                }}),
            )
            .await;
        let benefit = body["id"].as_str().unwrap().to_string();
        let (status, _) = lan
            .upload(
                &format!("/api/v1/dossiers/{benefit}/attachments"),
                &[("component_index", "2")],
                "quyet-dinh-thoi-viec.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = lan.act(&benefit, "submit", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, d) = lan.get(&format!("/api/v1/dossiers/{benefit}")).await;
        let book = &d["fetched"][0];
        assert_eq!(book["status"], "fetched", "{d}");
        assert_eq!(book["source_label"], "Lấy từ CSDL bảo hiểm xã hội");
        assert!(
            book["fields"]
                .to_string()
                .contains(&format!("19{}", &LAN[4..]))
        );
        let (log, _) = lan.get_all("/api/v1/me/access-log").await;
        assert!(
            log.to_string()
                .contains("Tiếp nhận hồ sơ LD-01 – Sổ bảo hiểm xã hội"),
            "{log}"
        );

        // The registry is down: the filing goes through, the officer sees what is left to do.
        assert!(faults(1.0).await.unwrap().status().is_success());
        let agency = lan.agency_for("HT-02", "Phan Đình Phùng").await;
        let (status, body) = lan
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-02", "agency_id": agency, "form": marriage, "submit": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().unwrap();
        let (_, d) = officer.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(d["fetched"][0]["status"], "unavailable", "{d}");
        assert!(d["fetched"][0]["fields"].as_array().unwrap().is_empty());
        let html = page_html(&page, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains("cần tra cứu khi tiếp nhận"));
    }
}

async fn sim_get_from(sim: &str, path: &str) -> Value {
    reqwest::get(format!("{sim}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
