//! Every route says who may call it. For each route: an anonymous caller is sent to sign in
//! (pages: 303 to /login; API: 401), and a wrong user is refused (403 or 404).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Routes that need a signed-in person, with a real dossier and file id filled in.
fn signed_in_page_routes(id: &str, file: &str) -> Vec<(Method, String)> {
    vec![
        (Method::GET, "/dossiers".into()),
        (Method::GET, "/procedures/HT-01/file".into()),
        (Method::POST, "/procedures/HT-01/file".into()),
        (Method::GET, format!("/dossiers/{id}")),
        (Method::GET, format!("/dossiers/{id}/edit")),
        (Method::POST, format!("/dossiers/{id}/edit")),
        (Method::GET, format!("/dossiers/{id}/receipt")),
        (Method::GET, format!("/dossiers/{id}/slips/receipt.pdf")),
        (Method::POST, format!("/dossiers/{id}/actions/receive")),
        (Method::POST, format!("/dossiers/{id}/result")),
        (Method::POST, format!("/dossiers/{id}/correction")),
        (Method::GET, format!("/files/{file}")),
        (Method::POST, "/logout".into()),
        (Method::GET, "/admin/calendar".into()),
        (Method::POST, "/admin/calendar".into()),
        (Method::POST, "/admin/calendar/delete".into()),
        (Method::POST, format!("/dossiers/{id}/steps/Activity_check")),
        (Method::GET, "/admin/procedures".into()),
        (Method::GET, "/admin/procedures/HT-01".into()),
        (Method::POST, "/admin/procedures/HT-01/process".into()),
        (Method::GET, format!("/dossiers/{id}/feedback")),
        (Method::POST, format!("/dossiers/{id}/feedback")),
        (Method::GET, "/feedback/new".into()),
        (Method::POST, "/feedback/new".into()),
        (Method::GET, "/me/feedback".into()),
        (Method::GET, "/feedback".into()),
        (Method::POST, "/feedback/x/answer".into()),
        (Method::POST, "/me/feedback/x/rating".into()),
        (Method::POST, format!("/dossiers/{id}/payment")),
        (
            Method::GET,
            format!("/dossiers/{id}/payment/return?session=x"),
        ),
        (Method::GET, format!("/dossiers/{id}/payments/x")),
        (Method::GET, "/me/documents".into()),
        (Method::GET, "/admin/sync".into()),
        (Method::POST, "/me/documents/x/forget".into()),
        (Method::GET, "/desk/intake".into()),
        (Method::POST, "/desk/intake".into()),
        (Method::POST, "/dossiers/bulk".into()),
        (Method::GET, "/dossiers/load".into()),
        (Method::POST, format!("/dossiers/{id}/result/generate")),
        (Method::GET, "/dashboard".into()),
        (Method::GET, "/dashboard/chi-so-766.csv".into()),
        (Method::GET, "/dashboard/qua-han.xlsx".into()),
    ]
}

fn signed_in_api_routes(id: &str, file: &str) -> Vec<(Method, String)> {
    vec![
        (Method::DELETE, "/api/v1/session".into()),
        (Method::POST, "/api/v1/desk/dossiers".into()),
        (Method::POST, "/api/v1/dossiers/bulk-actions".into()),
        (Method::GET, "/api/v1/agency/load".into()),
        (Method::GET, "/api/v1/dossiers".into()),
        (Method::POST, "/api/v1/dossiers".into()),
        (Method::GET, format!("/api/v1/dossiers/{id}")),
        (Method::PUT, format!("/api/v1/dossiers/{id}/form")),
        (Method::POST, format!("/api/v1/dossiers/{id}/attachments")),
        (Method::POST, format!("/api/v1/dossiers/{id}/result")),
        (Method::POST, format!("/api/v1/dossiers/{id}/correction")),
        (Method::POST, format!("/api/v1/dossiers/{id}/actions")),
        (Method::GET, format!("/api/v1/files/{file}")),
        (Method::GET, "/api/v1/me/access-log".into()),
        (Method::GET, format!("/api/v1/dossiers/{id}/process")),
        (
            Method::POST,
            format!("/api/v1/dossiers/{id}/steps/Activity_check"),
        ),
        (Method::GET, "/api/v1/procedures/HT-01/process".into()),
        (Method::POST, "/api/v1/procedures/HT-01/process".into()),
        (Method::POST, format!("/api/v1/dossiers/{id}/feedback")),
        (Method::GET, "/api/v1/me/feedback".into()),
        (Method::GET, "/api/v1/feedback".into()),
        (Method::POST, "/api/v1/feedback".into()),
        (Method::POST, "/api/v1/feedback/x/answer".into()),
        (Method::POST, "/api/v1/me/feedback/x/rating".into()),
        (Method::GET, format!("/api/v1/dossiers/{id}/fees")),
        (Method::POST, format!("/api/v1/dossiers/{id}/payments")),
        (Method::GET, format!("/api/v1/dossiers/{id}/payments/x")),
        (
            Method::POST,
            "/api/v1/agencies/000.00.02.H19/signing-key".into(),
        ),
        (Method::POST, "/api/v1/admin/indices/rebuild".into()),
    ]
}

async fn fixture(server: &Server) -> (String, String, String) {
    let citizen = Api::login(server, LAN).await;
    let (id, code) = submitted_birth_dossier(&citizen).await;
    let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
    let file = view["attachments"][0]["id"].as_str().unwrap().to_string();
    (id, code, file)
}

#[tokio::test]
async fn anonymous_callers_are_sent_to_sign_in() {
    for server in servers() {
        let (id, _, file) = fixture(server).await;
        let http = client();
        for (method, path) in signed_in_page_routes(&id, &file) {
            let res = http
                .request(method.clone(), format!("{}{path}", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{method} {path}");
            let location = res.headers()["location"].to_str().unwrap();
            assert!(
                location.starts_with("/login?next="),
                "{method} {path} → {location}"
            );
        }
        for (method, path) in signed_in_api_routes(&id, &file) {
            let res = http
                .request(method.clone(), format!("{}{path}", server.base))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthenticated");
        }
        // A forged bearer token is nobody.
        let res = http
            .get(format!("{}/api/v1/dossiers", server.base))
            .bearer_auth("0".repeat(64))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn public_routes_need_no_sign_in() {
    for server in servers() {
        let (_, code, _) = fixture(server).await;
        let http = client();
        for path in [
            "/",
            "/procedures",
            "/procedures/HT-01",
            "/status",
            &format!("/status?code={code}"),
            "/login",
            "/healthz",
            "/static/app.css",
            "/api/v1/procedures",
            "/api/v1/procedures/HT-01",
            &format!("/api/v1/status/{code}"),
            "/api/v1/openapi.json",
            "/ranking",
            "/ranking/xep-hang.csv",
            "/transparency/000.00.02.H19",
            "/transparency/000.00.02.H19/chi-so-766.xlsx",
            "/api/v1/indices",
            "/api/v1/ranking",
        ] {
            let res = http
                .get(format!("{}{path}", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
        let res = http
            .get(format!("{}/no-such-page", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn other_people_cannot_see_or_touch_a_dossier() {
    for server in servers() {
        let (id, _, file) = fixture(server).await;
        let other_citizen = Api::login(server, MINH).await;
        let other_agency = Api::login(server, "tiepnhan.ubnd5467").await;
        let admin = Api::login(server, "quantri").await;
        for stranger in [&other_citizen, &other_agency, &admin] {
            for path in [
                format!("/api/v1/dossiers/{id}"),
                format!("/api/v1/files/{file}"),
            ] {
                let (status, _) = stranger.get(&path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            }
            for action in ["receive", "withdraw", "refuse"] {
                let (status, _) = stranger.act(&id, action, Some("x")).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
            }
            assert_eq!(
                stranger
                    .put(&format!("/api/v1/dossiers/{id}/form"), json!({"form": {}}))
                    .await,
                StatusCode::NOT_FOUND
            );
            let (status, _) = stranger
                .upload(
                    &format!("/api/v1/dossiers/{id}/attachments"),
                    &[("component_index", "2")],
                    "a.pdf",
                    PDF,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (status, _) = stranger
                .upload(&format!("/api/v1/dossiers/{id}/result"), &[], "a.pdf", PDF)
                .await;
            assert!(matches!(
                status,
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
            ));
            let (status, _) = stranger
                .upload(
                    &format!("/api/v1/dossiers/{id}/correction"),
                    &[("reason", "x")],
                    "a.pdf",
                    PDF,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "correction");
        }
        // Same agency, wrong role: the specialist cannot receive, the citizen cannot receive.
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        let (status, body) = specialist.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let owner = Api::login(server, LAN).await;
        let (status, _) = owner.act(&id, "receive", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Officials and admins do not file dossiers; admins have no queue.
        let agency = owner.agency_for("HT-01", "Phan Đình Phùng").await;
        let (status, _) = specialist
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": agency}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = admin.get("/api/v1/dossiers").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A draft stays invisible to the agency until it is submitted.
        let (_, body) = owner
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": agency}),
            )
            .await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let (status, _) = intake
            .get(&format!(
                "/api/v1/dossiers/{}",
                body["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn pages_refuse_wrong_users_and_forged_forms() {
    for server in servers() {
        let (id, _, file) = fixture(server).await;
        let minh = page_login(server, MINH).await;
        for path in [
            format!("/dossiers/{id}"),
            format!("/dossiers/{id}/edit"),
            format!("/dossiers/{id}/receipt"),
            format!("/dossiers/{id}/slips/receipt.pdf"),
            format!("/files/{file}"),
            format!("/dossiers/{id}/payment/return?session=x"),
            format!("/dossiers/{id}/payments/x"),
        ] {
            let res = minh
                .get(format!("{}{path}", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let officer = page_login(server, "chuyenvien.ubnd5443").await;
        let res = officer
            .get(format!("{}/procedures/HT-01/file", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let admin = page_login(server, "quantri").await;
        let res = admin
            .get(format!("{}/dossiers", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // The intake officer's form without (or with a wrong) CSRF token is refused, nothing changes.
        let intake = page_login(server, "tiepnhan.ubnd5443").await;
        for token in [None, Some("0".repeat(32))] {
            let mut form = vec![("reason", "x".to_string())];
            if let Some(t) = &token {
                form.push(("csrf", t.clone()));
            }
            let res = intake
                .post(format!("{}/dossiers/{id}/actions/receive", server.base))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let html = intake
            .get(format!("{}/dossiers/{id}", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Mới nộp, chờ tiếp nhận"));
        let res = intake
            .post(format!("{}/dossiers/{id}/actions/receive", server.base))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // Paying: a forged form is refused; another citizen's valid token finds no dossier.
        let res = minh
            .post(format!("{}/dossiers/{id}/payment", server.base))
            .form(&[("csrf", "0".repeat(32))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let minh_html = minh
            .get(format!("{}/dossiers", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = minh
            .post(format!("{}/dossiers/{id}/payment", server.base))
            .form(&[("csrf", csrf_of(&minh_html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Another agency's intake officer, with its own valid token, still cannot act.
        let far = page_login(server, "tiepnhan.ubnd5467").await;
        let far_html = far
            .get(format!("{}/dossiers", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = far
            .post(format!("{}/dossiers/{id}/actions/appraise", server.base))
            .form(&[("csrf", csrf_of(&far_html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn sign_in_rejects_bad_passwords_and_open_redirects() {
    for server in servers() {
        let http = client();
        let res = http
            .post(format!("{}/login", server.base))
            .form(&[("login", LAN), ("password", "sai"), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let html = res.text().await.unwrap();
        assert!(html.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
        assert!(html.contains(LAN), "typed login kept");
        let res = http
            .post(format!("{}/login", server.base))
            .form(&[
                ("login", LAN),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let res = http
            .post(format!("{}/api/v1/session", server.base))
            .json(&json!({"login": "quantri", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn only_administrators_edit_the_calendar() {
    for server in servers() {
        let base = &server.base;
        let res = client()
            .get(format!("{base}/admin/calendar"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "anonymous is sent to sign in"
        );
        for login in [LAN, "tiepnhan.ubnd5443", "giamsat"] {
            let who = page_login(server, login).await;
            let res = who
                .get(format!("{base}/admin/calendar"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
        }
        let admin = page_login(server, "quantri").await;
        let html = admin
            .get(format!("{base}/admin/calendar?year=2026"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("17/02/2026") && html.contains("Tết Nguyên đán (mùng 1)"));
        let csrf = csrf_of(&html);
        let res = admin
            .post(format!("{base}/admin/calendar"))
            .form(&[
                ("day", "2031-12-31"),
                ("kind", "day_off"),
                ("name", "Nghỉ cuối năm theo quyết định"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
        let res = admin
            .post(format!("{base}/admin/calendar"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("day", "2031-12-31"),
                ("kind", "day_off"),
                ("name", "Nghỉ cuối năm theo quyết định"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = admin
            .get(format!("{base}/admin/calendar?year=2031"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("31/12/2031") && html.contains("Nghỉ cuối năm theo quyết định"));
        let res = admin
            .post(format!("{base}/admin/calendar"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("day", "31/12/2031"),
                ("kind", "day_off"),
                ("name", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = admin
            .post(format!("{base}/admin/calendar/delete"))
            .form(&[("csrf", csrf.as_str()), ("day", "2031-12-31")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = admin
            .get(format!("{base}/admin/calendar?year=2031"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("Nghỉ cuối năm theo quyết định"));
    }
}
