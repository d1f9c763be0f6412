//! Slips as PDF over real HTTP on both databases: each slip the dossier's history calls for is
//! served as an inline PDF with the code, names and reasons in its text; a slip for an act that
//! never happened answers 404 with the error page; strangers are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::json;

const KINDS: [&str; 5] = ["receipt", "supplement", "refusal", "apology", "control"];

/// The status, headers and body of `/dossiers/{id}/slips/{kind}.pdf`.
async fn slip(
    http: &reqwest::Client,
    server: &Server,
    id: &str,
    kind: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = http
        .get(format!("{}/dossiers/{id}/slips/{kind}.pdf", server.base))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Exactly the slips in `served` are served as PDF, the others answer 404; returns the texts.
async fn check(
    http: &reqwest::Client,
    server: &Server,
    id: &str,
    code: &str,
    served: &[&str],
) -> Vec<String> {
    let mut texts = Vec::new();
    for kind in KINDS {
        let (status, headers, body) = slip(http, server, id, kind).await;
        if served.contains(&kind) {
            assert_eq!(status, StatusCode::OK, "{kind}");
            assert_eq!(headers["content-type"], "application/pdf");
            assert_eq!(
                headers["content-disposition"].to_str().unwrap(),
                format!("inline; filename=\"{code}-{kind}.pdf\"")
            );
            assert!(body.starts_with(b"%PDF-"), "{kind}");
            let text = text_of(&body);
            assert!(text.contains(code), "{kind}: {text}");
            texts.push(text);
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{kind} should not apply");
            let html = String::from_utf8_lossy(&body);
            assert!(html.contains("Không tìm thấy"), "{kind}: {html}");
        }
    }
    texts
}

#[tokio::test]
async fn each_slip_the_history_calls_for_downloads_as_pdf_and_only_those() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let lan_pages = page_login(server, LAN).await;
        let intake_pages = page_login(server, "tiepnhan.ubnd5443").await;

        // Filed only: no slip yet.
        let (id, code) = submitted_birth_dossier(&lan).await;
        check(&lan_pages, server, &id, &code, &[]).await;

        // Received, then an apology with a new date.
        assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);
        let (status, body) = intake
            .post(
                &format!("/api/v1/dossiers/{id}/actions"),
                json!({"action": "apologize", "reason": "Cần xác minh nơi cư trú", "new_due_date": "2099-01-05"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let served = ["receipt", "apology", "control"];
        let texts = check(&lan_pages, server, &id, &code, &served).await;
        assert!(
            texts[0].contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
            "{}",
            texts[0]
        );
        assert!(texts[0].contains("Nguyễn Thị Lan"), "{}", texts[0]);
        assert!(texts[0].contains("NGƯỜI TIẾP NHẬN"), "{}", texts[0]);
        assert!(texts[0].contains("/status?code="), "{}", texts[0]);
        assert!(texts[1].contains("Cần xác minh nơi cư trú"), "{}", texts[1]);
        assert!(
            texts[1].contains("05/01/2099"),
            "the new date: {}",
            texts[1]
        );
        assert!(texts[2].contains("Tiếp nhận"), "{}", texts[2]);
        // The handling agency's official gets them too.
        check(&intake_pages, server, &id, &code, &served).await;
        let html = page_html(&lan_pages, &format!("{}/dossiers/{id}", server.base)).await;
        assert!(html.contains(&format!("/dossiers/{id}/slips/receipt.pdf")));
        assert!(html.contains(&format!("/dossiers/{id}/slips/apology.pdf")));
        assert!(!html.contains(&format!("/dossiers/{id}/slips/refusal.pdf")));
        let html = page_html(
            &lan_pages,
            &format!("{}/dossiers/{id}/receipt", server.base),
        )
        .await;
        assert!(html.contains(&format!("/dossiers/{id}/slips/receipt.pdf")));

        // Strangers: another citizen, another agency's officer; anonymous is sent to sign in.
        for login in [MINH, "tiepnhan.ubnd5467"] {
            let stranger = page_login(server, login).await;
            for kind in served {
                let (status, _, body) = slip(&stranger, server, &id, kind).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{login} {kind}");
                assert!(!body.starts_with(b"%PDF"));
            }
        }
        let (status, headers, _) = slip(&client(), server, &id, "receipt").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(headers["location"].to_str().unwrap().starts_with("/login"));
        for bad in ["receipt", "result.pdf", "receipt.pdf.pdf"] {
            let res = lan_pages
                .get(format!("{}/dossiers/{id}/slips/{bad}", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        }

        // A supplement request lists every line the officer wrote.
        let (id, code) = submitted_birth_dossier(&lan).await;
        let missing = "- Bản sao giấy chứng nhận kết hôn\n- Tờ khai có chữ ký của người đi khai";
        let (status, body) = intake.act(&id, "request_supplement", Some(missing)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let texts = check(&lan_pages, server, &id, &code, &["supplement"]).await;
        assert!(
            texts[0].contains("1. Bản sao giấy chứng nhận kết hôn"),
            "{}",
            texts[0]
        );
        assert!(texts[0].contains("2. Tờ khai có chữ ký"), "{}", texts[0]);

        // A refusal gives its reasons.
        let (id, code) = submitted_birth_dossier(&lan).await;
        let reason = "Hồ sơ không thuộc thẩm quyền giải quyết";
        assert_eq!(
            intake.act(&id, "refuse", Some(reason)).await.0,
            StatusCode::OK
        );
        let texts = check(&lan_pages, server, &id, &code, &["refusal"]).await;
        assert!(texts[0].contains(reason), "{}", texts[0]);
        assert!(texts[0].contains("PHIẾU TỪ CHỐI TIẾP NHẬN"), "{}", texts[0]);
    }
}

#[tokio::test]
async fn the_leader_generates_a_result_with_a_qr_to_its_public_check_and_signs_it() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let (id, code) = submitted_birth_dossier(&lan).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        assert_eq!(
            specialist
                .act(&id, "appraise", Some("Đủ điều kiện"))
                .await
                .0,
            StatusCode::OK
        );
        let generate = |http: reqwest::Client, decision: &'static str| {
            let url = format!("{}/dossiers/{id}/result/generate", server.base);
            let page = format!("{}/dossiers/{id}", server.base);
            async move {
                let html = page_html(&http, &page).await;
                http.post(url)
                    .form(&[("csrf", csrf_of(&html).as_str()), ("decision", decision)])
                    .send()
                    .await
                    .unwrap()
            }
        };

        // Only the leader generates it, and not without a decision.
        let res = generate(page_login(server, "chuyenvien.ubnd5443").await, "Cấp giấy").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let leader_page = page_login(server, "lanhdao.ubnd5443").await;
        let res = generate(leader_page.clone(), "   ").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = generate(
            leader_page,
            "Đăng ký khai sinh cho cháu Nguyễn Minh An, sinh ngày 01/11/2026.",
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "back to the dossier page"
        );

        let leader = Api::login(server, "lanhdao.ubnd5443").await;
        let (_, view) = leader.get(&format!("/api/v1/dossiers/{id}")).await;
        let result = view["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["purpose"] == "result")
            .expect("the generated result is attached")
            .clone();
        let res = client()
            .get(format!(
                "{}/api/v1/files/{}",
                server.base,
                result["id"].as_str().unwrap()
            ))
            .bearer_auth(&leader.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let pdf = res.bytes().await.unwrap().to_vec();
        let text = text_of(&pdf);
        assert!(text.contains(&format!("/verify/{code}")), "{text}");
        assert!(text.contains("Nguyễn Minh An"), "{text}");

        // Approval signs it; the public check says it is valid.
        assert_eq!(leader.act(&id, "approve", None).await.0, StatusCode::OK);
        let res = client()
            .get(format!("{}/api/v1/verify/{code}", server.base))
            .send()
            .await
            .unwrap();
        let check: serde_json::Value = res.json().await.unwrap();
        assert_eq!(check["results"][0]["check"], "valid", "{check}");
        assert_eq!(check["results"][0]["sha256"], result["sha256"]);
    }
}
