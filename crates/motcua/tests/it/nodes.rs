//! Two `motcua serve` processes on one database, as an IT officer runs them behind a load
//! balancer: a day off the administrator saves on one node is in the other node's calendar
//! within a second, and a dossier received there gets its due date from it. SQLite (two
//! processes on one file) always; PostgreSQL too when `MOTCUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");
const MASTER_KEY: &str = "5b1c2f0e9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080";

/// A node: the `motcua` process and its address; killed when dropped.
struct Node {
    child: Child,
    server: Server,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `motcua demo` (the first node seeds) or `motcua serve` on `data` and `database`.
async fn node(command: &str, data: &std::path::Path, database: Option<&str>) -> Node {
    let port = free_port();
    let mut args = vec![
        command.to_string(),
        "--data".into(),
        data.display().to_string(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--master-key".into(),
        MASTER_KEY.into(),
    ];
    if command == "demo" {
        args.push("--no-simulators".into());
    }
    if let Some(url) = database {
        args.extend(["--database-url".into(), url.to_string()]);
    }
    let log = std::fs::File::create(data.with_extension(format!("{port}.log"))).unwrap();
    let child = Command::new(BIN)
        .args(&args)
        .env("MOTCUA_LOG", "warn")
        .env_remove("MOTCUA_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while !reqwest::get(format!("{base}/readyz"))
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{command} did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Node {
        child,
        server: Server::external("node", &base, data),
    }
}

/// What the administrator's calendar page of `node` lists as days off (dd/mm/yyyy).
async fn days_off_on(admin: &reqwest::Client, node: &Node, year: i16) -> String {
    page_html(
        admin,
        &format!("{}/admin/calendar?year={year}", node.server.base),
    )
    .await
}

/// The civil date (dd/mm/yyyy, Vietnam) of a due instant.
fn local_day(due: &str) -> jiff::civil::Date {
    let t: jiff::Timestamp = due.parse().unwrap();
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_off_saved_on_one_node_counts_on_the_other_within_a_second() {
    let mut backends = vec![None];
    if let Ok(base) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(Some(
            motcua_store::create_scratch_postgres_database(&base)
                .await
                .unwrap(),
        ));
    }
    for database in backends {
        let name = if database.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        let dir = tempfile::tempdir().unwrap();
        // On SQLite both nodes share the folder (one file); on PostgreSQL each has its own.
        let (data_a, data_b) = match database {
            None => (dir.path().join("data"), dir.path().join("data")),
            Some(_) => (dir.path().join("a"), dir.path().join("b")),
        };
        let a = node("demo", &data_a, database.as_deref()).await;
        let b = node("serve", &data_b, database.as_deref()).await;

        let lan = Api::login(&a.server, LAN).await;
        let agency = lan.agency_for("TP-01", "Sở Tư pháp").await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (status, body) = lan
                .post(
                    "/api/v1/dossiers",
                    json!({"procedure_code": "TP-01", "agency_id": agency, "submit": true,
                           "form": {"record_type": "Phiếu số 1", "purpose": "Xin việc", "copies": "1"}}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
            ids.push(body["id"].as_str().unwrap().to_string());
        }
        let desk_b = Api::login(&b.server, "tiepnhan.sotuphap").await;
        let (status, body) = desk_b.act(&ids[0], "receive", None).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let (_, first) = desk_b.get(&format!("/api/v1/dossiers/{}", ids[0])).await;
        let due_before = local_day(first["due_at"].as_str().unwrap());

        // On node A, the administrator makes the first one's due day a day off.
        let admin_a = page_login(&a.server, "quantri").await;
        let html = days_off_on(&admin_a, &a, due_before.year()).await;
        let shown = due_before.strftime("%d/%m/%Y").to_string();
        assert!(!html.contains(&format!("<td>{shown}</td>")), "{name}");
        let res = admin_a
            .post(format!("{}/admin/calendar", a.server.base))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("day", &due_before.to_string()),
                ("kind", "day_off"),
                ("name", "Nghỉ bù theo quyết định của Thủ tướng"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
        let saved = Instant::now();

        // Node B has it within a second, without a restart.
        let admin_b = page_login(&b.server, "quantri").await;
        loop {
            let html = days_off_on(&admin_b, &b, due_before.year()).await;
            if html.contains(&format!("<td>{shown}</td>")) {
                break;
            }
            assert!(
                saved.elapsed() < Duration::from_secs(1),
                "{name}: node B still counts {shown} as a working day"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seen_after = saved.elapsed();
        assert!(
            seen_after < Duration::from_secs(1),
            "{name}: {seen_after:?}"
        );

        // A dossier received on B now is due a working day later than the first one.
        let (status, body) = desk_b.act(&ids[1], "receive", None).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let (_, second) = desk_b.get(&format!("/api/v1/dossiers/{}", ids[1])).await;
        let due_after = local_day(second["due_at"].as_str().unwrap());
        assert!(
            due_after > due_before,
            "{name}: {due_before} then {due_after}"
        );
        assert_ne!(due_after, due_before);

        // Taken back on B: A has it back within a second too.
        let html = days_off_on(&admin_b, &b, due_before.year()).await;
        let res = admin_b
            .post(format!("{}/admin/calendar/delete", b.server.base))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("day", &due_before.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
        let removed = Instant::now();
        loop {
            let html = days_off_on(&admin_a, &a, due_before.year()).await;
            if !html.contains(&format!("<td>{shown}</td>")) {
                break;
            }
            assert!(
                removed.elapsed() < Duration::from_secs(1),
                "{name}: node A kept the day off"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!(
            "{name}: node B saw the day off after {seen_after:?}, node A its removal after {:?}",
            removed.elapsed()
        );
    }
}
