//! Signed results and their public check, over real HTTP on both databases: approval signs the
//! result with the agency's Ed25519 key, anyone can check it at /verify/{code} without signing
//! in (and sees no personal data), an uploaded copy is compared byte for byte, a rotated key
//! keeps old results valid, and a signature record changed in the database shows as altered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const RESULT: &[u8] = b"%PDF-1.4\n% Trich luc khai sinh ban dien tu\n%%EOF\n";

/// A birth registration taken to approval with `result` as its result; returns (id, code).
async fn approved(server: &Server, result: &[u8]) -> (String, String) {
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
    let (status, _) = leader
        .upload(
            &format!("/api/v1/dossiers/{id}/result"),
            &[],
            "trich-luc-khai-sinh.pdf",
            result,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(leader.act(&id, "approve", None).await.0, StatusCode::OK);
    (id, code)
}

async fn public_check(server: &Server, code: &str) -> (StatusCode, Value) {
    let res = client()
        .get(format!("{}/api/v1/verify/{code}", server.base))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload_check(server: &Server, code: &str, bytes: &[u8]) -> (StatusCode, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("ket-qua.pdf"),
    );
    let res = client()
        .post(format!("{}/verify/{code}", server.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn anyone_can_check_a_signed_result_and_a_changed_copy_is_caught() {
    for server in servers() {
        // Not approved yet: nothing to check.
        let lan = Api::login(server, LAN).await;
        let (_, pending) = submitted_birth_dossier(&lan).await;
        assert_eq!(
            public_check(server, &pending).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            public_check(server, "x' OR 1=1").await.0,
            StatusCode::NOT_FOUND
        );

        let (id, code) = approved(server, RESULT).await;
        let (status, v) = public_check(server, &code).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["results"].as_array().unwrap().len(), 1);
        let r = &v["results"][0];
        assert_eq!(r["check"], "valid", "{v}");
        assert_eq!(r["sha256"], motcua_files_sha256(RESULT));
        assert_eq!(v["agency_name"], "Ủy ban nhân dân Phường Phan Đình Phùng");
        let text = v.to_string();
        assert!(
            !text.contains("Nguyễn Thị Lan") && !text.contains(LAN),
            "{text}"
        );
        assert!(!text.contains("trich-luc"), "no file name: {text}");

        // The page, without signing in; the same file is valid, a changed one is not.
        let page = client()
            .get(format!("{}/verify/{code}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Hợp lệ: đúng kết quả do cơ quan ký"),
            "{html}"
        );
        assert!(!html.contains("Nguyễn Thị Lan"));
        let (status, html) = upload_check(server, &code, RESULT).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<strong>Hợp lệ"), "{html}");
        let mut changed = RESULT.to_vec();
        changed[12] ^= 1;
        let (_, html) = upload_check(server, &code, &changed).await;
        assert!(html.contains("<strong>Không khớp"), "{html}");
        let empty = reqwest::multipart::Form::new().text("note", "x");
        let res = client()
            .post(format!("{}/verify/{code}", server.base))
            .multipart(empty)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The applicant's dossier page links the check (with its QR code).
        let page = page_login(server, LAN).await;
        let html = page_html(&page, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains(&format!("/verify/{code}")), "{html}");
        assert!(html.contains("Mã QR kiểm tra kết quả"));

        // Rotating the agency's key: old results stay valid, new ones use the new key.
        let agency_code = code.rsplitn(3, '-').last().unwrap().to_string();
        let leader = Api::login(server, "lanhdao.ubnd5443").await;
        let (status, _) = leader
            .post(
                &format!("/api/v1/agencies/{agency_code}/signing-key"),
                json!({}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "only administrators rotate keys"
        );
        let admin = Api::login(server, "quantri").await;
        let (status, rotated) = admin
            .post(
                &format!("/api/v1/agencies/{agency_code}/signing-key"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{rotated}");
        let new_key = rotated["public_key"].as_str().unwrap();
        assert_ne!(new_key, r["public_key"].as_str().unwrap());
        let (_, again) = public_check(server, &code).await;
        assert_eq!(again["results"][0]["check"], "valid");
        let (_, code2) = approved(server, b"%PDF-1.4\n% ket qua thu hai\n%%EOF\n").await;
        let (_, v2) = public_check(server, &code2).await;
        assert_eq!(v2["results"][0]["check"], "valid");
        assert_eq!(v2["results"][0]["public_key"], new_key);

        // A signature record changed behind the application's back shows as altered.
        if server.name == "sqlite" {
            let url = format!("sqlite://{}", server.data_dir.join("motcua.db").display());
            sqlx::any::install_default_drivers();
            let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            let forged = motcua_files_sha256(&changed);
            sqlx::query(
                "UPDATE result_signatures SET sha256 = $1 WHERE dossier_id = (SELECT id FROM dossiers WHERE code = $2)",
            )
            .bind(&forged)
            .bind(&code)
            .execute(&mut db)
            .await
            .unwrap();
            let (_, v) = public_check(server, &code).await;
            assert_eq!(v["results"][0]["check"], "altered", "{v}");
            let (_, html) = upload_check(server, &code, &changed).await;
            assert!(html.contains("<strong>Không hợp lệ"), "{html}");
        }
    }
}

fn motcua_files_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
