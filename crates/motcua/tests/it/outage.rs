//! Outages as an operator meets them: the database goes away (a real cut of the network link
//! between the server and PostgreSQL) and the file store stops taking files. Requests get 503
//! with `Retry-After`, never 500 and never a hang; `/readyz` names what fails while `/healthz`
//! (liveness) stays 200; once the dependency is back, the server serves again by itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use motcua_app::PoolOptions;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn readyz(server: &Server) -> (StatusCode, Value) {
    let res = client()
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// `url` with its host and port replaced by `addr`.
fn through(url: &str, addr: std::net::SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, rest) = match rest.split_once('@') {
        Some((u, r)) => (format!("{u}@"), r),
        None => (String::new(), rest),
    };
    let path = &rest[rest.find('/').unwrap()..];
    format!("{scheme}://{userinfo}{addr}{path}")
}

fn host_port(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    let host = &rest[..rest.find('/').unwrap()];
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_means_503_and_the_server_comes_back_by_itself() {
    let Ok(base) = std::env::var("MOTCUA_TEST_POSTGRES_URL") else {
        eprintln!("MOTCUA_TEST_POSTGRES_URL not set: outage test skipped");
        return;
    };
    let url = motcua_store::create_scratch_postgres_database(&base)
        .await
        .unwrap();
    let link = Link::to(&host_port(&url));
    let server = start_on_database("postgres", through(&url, link.addr), |_, config| {
        config.pool = PoolOptions {
            max_connections: 4,
            acquire_timeout: Duration::from_secs(2),
        };
    });
    let lan = Api::login(&server, LAN).await;
    let page = page_login(&server, LAN).await;
    let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
    let draft = json!({"procedure_code": "TP-01", "agency_id": agency, "form": {}});
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"ready": true, "checks": {"database": "ok", "files": "ok"}})
    );

    link.cut();
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body["checks"]["database"]["error"].is_string(), "{body}");
    assert_eq!(body["checks"]["files"], "ok");
    let res = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "alive, only not ready");
    for _ in 0..3 {
        let asked = Instant::now();
        let res = lan
            .http
            .post(lan.url("/api/v1/dossiers"))
            .bearer_auth(&lan.token)
            .json(&draft)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "{:?}",
            asked.elapsed()
        );
        assert!(res.headers().contains_key("retry-after"));
        let body: Value = res.json().await.unwrap();
        let code = body["error"]["code"].as_str().unwrap();
        assert!(matches!(code, "storage_down" | "busy"), "{body}");
    }
    let res = page
        .get(format!("{}/dossiers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let html = res.text().await.unwrap();
    assert!(html.contains("thử lại"), "{html}");

    link.mend();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = readyz(&server).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "never ready again: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = lan.post("/api/v1/dossiers", draft).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let res = page
        .get(format!("{}/dossiers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_file_store_that_takes_no_files_is_named_and_uploads_get_503() {
    for server in own_servers(Default::default) {
        let name = server.name;
        let lan = Api::login(&server, LAN).await;
        let id = birth_draft(&lan).await;

        // The store's folder is gone and a plain file sits in its place.
        let files = server.data_dir.join("files");
        let aside = server.data_dir.join("files-aside");
        std::fs::rename(&files, &aside).unwrap();
        std::fs::write(&files, b"not a folder").unwrap();
        let (status, body) = readyz(&server).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{name}: {body}");
        assert_eq!(body["checks"]["database"], "ok", "{name}");
        assert!(
            body["checks"]["files"]["error"].is_string(),
            "{name}: {body}"
        );
        let (status, body) = lan
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "giay-chung-sinh.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{name}: {body}");
        assert_eq!(body["error"]["code"], "storage_down", "{name}: {body}");

        // Put back: ready, and the same upload goes through.
        std::fs::remove_file(&files).unwrap();
        std::fs::rename(&aside, &files).unwrap();
        let (status, body) = readyz(&server).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let (status, body) = lan
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "giay-chung-sinh.pdf",
                PDF,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    }
}
