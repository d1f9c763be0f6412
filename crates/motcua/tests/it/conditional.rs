//! Conditional GETs on both databases: public pages and API reads carry an ETag; asked again
//! with it, the answer is 304 with no body; once the dossier moves, its status page is new.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;

async fn get(url: &str, etag: Option<&str>) -> (StatusCode, Option<String>, Option<String>, usize) {
    let mut req = client().get(url);
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (etag, cache) = (header("etag"), header("cache-control"));
    (res.status(), etag, cache, res.bytes().await.unwrap().len())
}

#[tokio::test]
async fn unchanged_pages_are_not_sent_again() {
    for server in servers() {
        let name = server.name;
        let lan = Api::login(server, LAN).await;
        let (_, code) = submitted_birth_dossier(&lan).await;
        for path in [
            "/".to_string(),
            "/procedures".to_string(),
            "/procedures?level=province&limit=2".to_string(),
            "/api/v1/procedures".to_string(),
            "/procedures/HT-01".to_string(),
            format!("/status?code={code}"),
            format!("/api/v1/status/{code}"),
        ] {
            let url = format!("{}{path}", server.base);
            let (status, etag, cache, len) = get(&url, None).await;
            assert_eq!(status, StatusCode::OK, "{name} {path}");
            let etag = etag.unwrap_or_else(|| panic!("{name} {path}: no ETag"));
            assert_eq!(cache.as_deref(), Some("no-cache"), "{name} {path}");
            assert!(len > 0);
            let (status, again, _, len) = get(&url, Some(&etag)).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{name} {path}");
            assert_eq!(
                (again.as_deref(), len),
                (Some(etag.as_str()), 0),
                "{name} {path}"
            );
            let (status, _, _, _) = get(&url, Some("\"something-else\"")).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{name} {path}: another tag, the page"
            );
        }

        // The dossier is received: its status page is not the one the phone holds.
        let url = format!("{}/status?code={code}", server.base);
        let (_, before, _, _) = get(&url, None).await;
        let (_, view) = lan.get(&format!("/api/v1/status/{code}")).await;
        assert!(view.is_object());
        let id = {
            let (_, lines) = lan.get("/api/v1/dossiers").await;
            lines
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["code"] == code.as_str())
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        assert_eq!(intake.act(&id, "receive", None).await.0, StatusCode::OK);
        let (status, after, _, _) = get(&url, before.as_deref()).await;
        assert_eq!(status, StatusCode::OK, "{name}: changed");
        assert_ne!(after, before);
    }
}
