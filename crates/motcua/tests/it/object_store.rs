//! Attachments in an S3-compatible object store, a real one: `s3s-fs` (from crates.io; CI
//! installs it, `cargo install s3s-fs --version 0.14.1 --features binary`; the test is skipped,
//! saying so, when it is missing). A file uploaded through one node is downloaded through
//! another that shares the database and the bucket; it is sealed in the bucket; a bucket that
//! does not answer makes `/readyz` name the files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use motcua_testkit::*;
use reqwest::StatusCode;

const ACCESS: &str = "motcua-test-access";
const SECRET: &str = "motcua-test-secret-key";
const BUCKET: &str = "motcua";
const MASTER_KEY: &str = "f7b3ac7e95fdbb5b7f1ea9d3f387b03533630c4482fd4ad71f038dfda40cc283";

struct S3 {
    child: Child,
    root: tempfile::TempDir,
    url: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("MOTCUA_S3S_FS") {
        return Some(p.into());
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| std::path::Path::new(d).join("s3s-fs"))
        .chain([std::path::Path::new(&home).join(".cargo/bin/s3s-fs")])
        .collect::<Vec<_>>();
    candidates.into_iter().find(|p| p.is_file())
}

async fn start_s3(bin: &std::path::Path) -> S3 {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join(BUCKET)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", ACCESS, "--secret-key", SECRET])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "s3s-fs did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    S3 {
        child,
        root,
        url: format!("s3://{BUCKET}?endpoint=http://127.0.0.1:{port}"),
    }
}

fn in_bucket(url: &str) -> impl FnOnce(std::net::SocketAddr, &mut motcua_app::Config) + '_ {
    move |_, config| {
        config.files_url = Some(url.to_string());
        config.files_keys = Some((ACCESS.into(), SECRET.into()));
        config.master_key_hex = Some(MASTER_KEY.into());
    }
}

/// Every file below `dir`, with its bytes.
fn files_below(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(std::fs::read(&path).unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_uploaded_through_one_node_is_there_on_the_other() {
    let Some(bin) = s3s_fs() else {
        eprintln!("s3s-fs not installed: object store test skipped");
        return;
    };
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    for (name, db) in backends {
        let s3 = start_s3(&bin).await;
        let a = start_configured(name, db.clone(), in_bucket(&s3.url));
        // On PostgreSQL a second node on the same database and bucket; on SQLite the same node
        // is asked again (one file, one process).
        let b = a
            .database_url
            .as_ref()
            .map(|url| start_on_database(name, url.clone(), in_bucket(&s3.url)));
        let lan_a = Api::login(&a, LAN).await;
        let id = birth_draft(&lan_a).await;
        let scan = b"%PDF-1.4\n% giay chung sinh, ban quet\n%%EOF\n";
        let (status, body) = lan_a
            .upload(
                &format!("/api/v1/dossiers/{id}/attachments"),
                &[("component_index", "2")],
                "giay-chung-sinh.pdf",
                scan,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        let attachment = body["id"].as_str().unwrap().to_string();

        // In the bucket, sealed: the bytes are not there in the clear.
        let stored = files_below(&s3.root.path().join(BUCKET));
        assert!(!stored.is_empty(), "{name}: nothing in the bucket");
        assert!(
            stored
                .iter()
                .all(|f| !f.windows(8).any(|w| w == b"%PDF-1.4")),
            "{name}: sealed at rest"
        );

        let other = b.as_ref().unwrap_or(&a);
        let lan_b = Api::login(other, LAN).await;
        let res = lan_b
            .http
            .get(lan_b.url(&format!("/api/v1/files/{attachment}")))
            .bearer_auth(&lan_b.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{name}: the other node finds it"
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), scan.as_slice());

        // The bucket stops answering: the node is not ready, and says why.
        drop(s3);
        let res = client()
            .get(format!("{}/readyz", a.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{name}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            body["checks"]["files"]["error"].is_string(),
            "{name}: {body}"
        );
        assert_eq!(body["checks"]["database"], "ok");
    }
}
