//! Once only, against the built-in population-registry simulator over real HTTP: identity facts
//! are looked up (and the look-up is in the citizen's access log), a registry failure still lets
//! the citizen file with the facts flagged for the officer, and a citizen's report that a fact is
//! wrong reaches the registry as a correction request and the officer as a notice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use motcua_app::Integrations;
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
