//! The `motcua` binary as an operator runs it: `demo` twice on the same folder seeds once;
//! `migrate` works; and the request log never carries personal data or session tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");
const LAN: &str = "019195012345";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running {
    child: Child,
    base: String,
    out: std::path::PathBuf,
    err: std::path::PathBuf,
}

impl Running {
    fn start(data: &std::path::Path) -> Running {
        let port = free_port();
        // Files, not pipes: a full pipe would block the server's logging.
        std::fs::create_dir_all(data.parent().unwrap()).unwrap();
        let out = data.with_extension(format!("{port}.out"));
        let err = data.with_extension(format!("{port}.err"));
        let child = Command::new(BIN)
            .args([
                "demo",
                "--data",
                data.to_str().unwrap(),
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("MOTCUA_LOG", "debug")
            .env_remove("MOTCUA_DATABASE_URL")
            .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if reqwest::blocking::get(format!("{base}/healthz"))
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Running {
            child,
            base,
            out,
            err,
        }
    }

    /// Stops the server and returns (stdout, stderr).
    fn stop(mut self) -> (String, String) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        (
            std::fs::read_to_string(&self.out).unwrap(),
            std::fs::read_to_string(&self.err).unwrap(),
        )
    }
}

#[test]
fn demo_seeds_once_and_logs_carry_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("motcua-data");

    let server = Running::start(&data);
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let login: Value = http
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"login": LAN, "password": "MotCua@2026"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let procedure: Value = http
        .get(format!("{}/api/v1/procedures/HT-04", server.base))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let agency = procedure["agencies"][0]["id"].as_str().unwrap();
    let created: Value = http
        .post(format!("{}/api/v1/dossiers", server.base))
        .bearer_auth(&token)
        .json(
            &json!({"procedure_code": "HT-04", "agency_id": agency, "submit": true,
                      "form": {"event_type": "Khai sinh", "copies": "2"}}),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    let code = created["code"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    // A page sign-in with the personal ID in the form body, and pages that show personal data.
    http.post(format!("{}/login", server.base))
        .form(&[("login", LAN), ("password", "MotCua@2026")])
        .send()
        .unwrap();
    let page = http
        .get(format!("{}/dossiers/{id}", server.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Nguyễn Thị Lan"));
    http.get(format!("{}/status?code={code}", server.base))
        .send()
        .unwrap();
    http.get(format!(
        "{}/procedures?q=Nguy%E1%BB%85n%20Th%E1%BB%8B%20Lan",
        server.base
    ))
    .send()
    .unwrap();
    let (stdout, log) = server.stop();

    assert!(stdout.contains("Đã tạo dữ liệu mẫu"), "{stdout}");
    assert!(
        stdout.contains("tiepnhan.ubnd5443") && stdout.contains(LAN),
        "demo logins printed on stdout"
    );
    let request_lines = log.lines().filter(|l| l.contains("latency_us")).count();
    assert!(
        request_lines >= 6,
        "one log line per request, got {request_lines}:\n{log}"
    );
    for secret in [
        LAN,
        "019088001234",
        "001203004567",
        "Nguyễn Thị Lan",
        "Nguyen Thi Lan",
        "Trần Văn Minh",
        "lan@example.vn",
        "0912345678",
        "0987654321",
        token.as_str(),
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
    // The master key and the database are in the data folder; the key is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }
    let db = std::fs::read(data.join("motcua.db")).unwrap();
    assert!(
        !db.windows(LAN.len()).any(|w| w == LAN.as_bytes()),
        "personal ID stored in the clear"
    );
    assert!(
        !db.windows("Nguyễn Thị Lan".len())
            .any(|w| w == "Nguyễn Thị Lan".as_bytes()),
        "name stored in the clear"
    );

    // Second run on the same folder: nothing seeded twice, the dossier is still there.
    let server = Running::start(&data);
    let status = reqwest::blocking::get(format!("{}/api/v1/status/{code}", server.base)).unwrap();
    assert_eq!(status.status(), 200);
    let (stdout, _) = server.stop();
    assert!(stdout.contains("Dùng lại dữ liệu đã có"), "{stdout}");

    let out = Command::new(BIN)
        .args(["migrate", "--data", data.to_str().unwrap()])
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
