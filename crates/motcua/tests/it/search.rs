//! Finding a procedure: the catalog search over HTTP (JSON API and the page without
//! JavaScript) and the procedure page in plain words with its QR code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn api_search(server: &Server, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = client()
        .get(format!("{}/api/v1/procedures", server.base))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

fn codes(found: &Value) -> Vec<&str> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect()
}

async fn page(server: &Server, path_and_query: &str) -> (StatusCode, String) {
    let res = client()
        .get(format!("{}{path_and_query}", server.base))
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_api_finds_the_birth_registration_however_it_is_typed() {
    for server in servers() {
        for q in ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"] {
            let (status, found) = api_search(server, &[("q", q)]).await;
            assert_eq!(status, StatusCode::OK, "{}", server.name);
            let found_codes = codes(&found);
            assert_eq!(found_codes.first(), Some(&"HT-01"), "{q}: {found_codes:?}");
            assert!(!found_codes.contains(&"HT-02"), "{q}: {found_codes:?}");
            // The response keeps the catalog fields.
            let first = &found[0];
            assert_eq!(first["name"], "Đăng ký khai sinh");
            assert_eq!(first["level"], "commune");
            assert!(first["definition"]["components"].is_array());
        }
        let (_, by_code) = api_search(server, &[("q", "tp-01")]).await;
        assert_eq!(codes(&by_code).first(), Some(&"TP-01"));
        let (_, all) = api_search(server, &[]).await;
        assert_eq!(codes(&all).len(), 18, "no words: the whole catalog");
        let (status, odd) = api_search(server, &[("q", "\"khai sinh\" (*): -")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(codes(&odd).first(), Some(&"HT-01"), "syntax is only text");
    }
}

#[tokio::test]
async fn api_filters_narrow_and_bad_values_are_a_structured_400() {
    for server in servers() {
        let (_, province) = api_search(server, &[("level", "province")]).await;
        let province = codes(&province);
        assert_eq!(
            province,
            [
                "DL-01", "DN-01", "GT-01", "LD-01", "TP-01", "XNC-01", "YT-01"
            ],
            "catalog order (by code) without words"
        );
        let (_, police) = api_search(server, &[("agency", "commune_police")]).await;
        assert_eq!(codes(&police), ["CT-01", "CT-02", "CT-03"]);
        let (_, partial) = api_search(server, &[("online", "partial")]).await;
        assert_eq!(codes(&partial), ["CTH-01", "HT-02", "LD-01"]);
        let (_, civil) = api_search(
            server,
            &[("q", "dang ky"), ("field", "Hộ tịch"), ("online", "full")],
        )
        .await;
        let civil = codes(&civil);
        assert!(!civil.is_empty());
        assert!(
            civil
                .iter()
                .all(|c| ["HT-01", "HT-03", "HT-05"].contains(c)),
            "{civil:?}"
        );

        let (status, body) =
            api_search(server, &[("level", "district"), ("online", "sometimes")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "bad_query");
        assert!(body["error"]["fields"]["level"].is_string(), "{body}");
        assert!(body["error"]["fields"]["online"].is_string(), "{body}");
        let (status, body) = api_search(server, &[("agency", "no_such_agency")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["fields"]["agency"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn the_catalog_comes_a_page_at_a_time_with_the_search_kept() {
    for server in servers() {
        let anyone = Api::login(server, LAN).await;
        for search in [
            "level=province",
            "q=dang%20ky&field=H%E1%BB%99%20t%E1%BB%8Bch",
        ] {
            let (status, whole) = anyone
                .get(&format!("/api/v1/procedures?{search}&limit=200"))
                .await;
            assert_eq!(status, StatusCode::OK, "{whole}");
            assert!(codes(&whole).len() >= 2, "{search}: {whole}");
            let (paged, pages) = anyone
                .get_all(&format!("/api/v1/procedures?{search}&limit=1"))
                .await;
            assert_eq!(pages, codes(&whole).len(), "{search}");
            assert_eq!(codes(&paged), codes(&whole), "{search}: the same order");
        }
        // A cursor that names nothing of this search: start again, told why.
        let (status, body) = anyone.get("/api/v1/procedures?cursor=WFlaLTk5").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["error"]["fields"]["cursor"].is_string(), "{body}");
        let (status, body) = anyone.get("/api/v1/procedures?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn the_procedures_page_searches_with_a_plain_form() {
    for server in servers() {
        let (status, html) = page(server, "/procedures").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<form class=\"finder\" method=\"get\" action=\"/procedures\""));
        for (name, label) in [
            ("q", "Tìm theo tên"),
            ("level", "Cấp thực hiện"),
            ("agency", "Cơ quan giải quyết"),
            ("field", "Lĩnh vực"),
            ("online", "Dịch vụ công trực tuyến"),
        ] {
            assert!(
                html.contains(&format!("<label for=\"{name}\">{label}")),
                "{name}"
            );
            assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(html.contains("<option value=\"commune_police\">Công an cấp xã</option>"));
        assert!(html.contains("<option value=\"Hộ tịch\">Hộ tịch</option>"));
        assert!(html.contains("Có 18 thủ tục."));
        // A page at a time: the count is of all, the next page keeps the filter, and walking
        // the pages shows every matching procedure once.
        let (mut seen, mut next) = (
            Vec::new(),
            Some("/procedures?level=province&limit=3".to_string()),
        );
        while let Some(path) = next.take() {
            let (status, html) = page(server, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                html.contains("Tìm thấy 7 thủ tục theo bộ lọc đã chọn."),
                "{path}"
            );
            seen.extend(
                html.split("<li><a href=\"/procedures/")
                    .skip(1)
                    .map(|rest| rest.split('"').next().unwrap().to_string()),
            );
            next = html.split("<a href=\"").find_map(|rest| {
                rest.split_once("\" rel=\"next\"")
                    .map(|(h, _)| h.replace("&amp;", "&").replace("&#38;", "&"))
            });
            if let Some(n) = &next {
                assert!(
                    n.starts_with("/procedures?level=province&limit=3&cursor="),
                    "{n}"
                );
            }
        }
        assert_eq!(
            seen,
            [
                "DL-01", "DN-01", "GT-01", "LD-01", "TP-01", "XNC-01", "YT-01"
            ]
        );

        let (_, html) = page(
            server,
            "/procedures?q=dang+ky+khai+sinh&level=commune&agency=&field=&online=",
        )
        .await;
        let first = html
            .find("href=\"/procedures/HT-01\"")
            .expect("HT-01 listed");
        let second = html
            .find("href=\"/procedures/HT-05\"")
            .expect("HT-05 listed");
        assert!(first < second, "best match first");
        assert!(html.contains("Tìm thấy 2 thủ tục cho «dang ky khai sinh» theo bộ lọc"));
        assert!(
            html.contains("<option value=\"commune\" selected>"),
            "choice kept"
        );
        assert!(html.contains("value=\"dang ky khai sinh\""), "words kept");

        let (status, _) = page(server, "/procedures?level=district").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn the_procedure_page_says_it_all_in_plain_words_with_a_qr_code() {
    for server in servers() {
        let res = client()
            .get(format!("{}/procedures/HT-01", server.base))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        for section in [
            "Ai được nộp hồ sơ",
            "Cần chuẩn bị những gì",
            "Phí, lệ phí",
            "Thời hạn giải quyết",
            "Kết quả và nơi cấp",
            "Biểu mẫu cần điền",
            "Mã QR của trang này",
        ] {
            assert!(html.contains(&format!("\">{section}</h2>")), "{section}");
        }
        // Who may file (from the catalog), where each component comes from, both fees, time.
        assert!(html.contains("Cha, mẹ, ông, bà hoặc người thân thích khác của trẻ"));
        assert!(html.contains("Lấy từ CSDL quốc gia về dân cư"));
        assert!(html.contains("Tải tệp lên"));
        assert!(html.contains("<dt>Nộp trực tuyến</dt><dd>Không thu phí</dd>"));
        assert!(html.contains("Trong ngày làm việc"));
        // The result and the agency that issues it.
        assert!(html.contains("Giấy khai sinh (bản điện tử)"));
        assert!(html.contains("<dt>Cơ quan giải quyết</dt><dd>Ủy ban nhân dân cấp xã</dd>"));
        // The form, with required marks.
        assert!(html.contains("Họ, chữ đệm và tên của trẻ <abbr title=\"bắt buộc\">*</abbr>"));
        assert!(html.contains("chọn một: Nam, Nữ"));
        // The QR code opens this same page, at the address the browser used.
        assert!(html.contains("<svg role=\"img\""));
        let host = server.base.trim_start_matches("http://");
        assert!(
            html.contains(&format!("href=\"https://{host}/procedures/HT-01\"")),
            "absolute address of the page"
        );

        let (status, _) = page(server, "/procedures/NO-SUCH").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_forged_host_never_reaches_the_qr_code() {
    for server in servers() {
        let res = client()
            .get(format!("{}/procedures/TP-01", server.base))
            .header("host", "evil.example/phish?x=")
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(!html.contains("evil.example"));
        assert!(html.contains("href=\"/procedures/TP-01\">/procedures/TP-01</a>"));
    }
}
