//! `motcua sim` as an operator starts it: both listeners come up, start-up faults apply, and the
//! registry answers the demo citizen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sim_serves_registry_and_smtp_with_startup_faults() {
    let (http, smtp) = (free_port(), free_port());
    let child = Command::new(BIN)
        .args([
            "sim",
            "--listen",
            &format!("127.0.0.1:{http}"),
            "--smtp",
            &format!("127.0.0.1:{smtp}"),
            "--seed",
            "5",
            "--people",
            "10",
            "--fault",
            "sms.error_rate=1",
        ])
        .env("MOTCUA_SIM_SECRET", "cli-test-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Killed(child);
    let base = format!("http://127.0.0.1:{http}");
    let started = Instant::now();
    while !reqwest::blocking::get(format!("{base}/sim/healthz"))
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "sim did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let faults: Value = reqwest::blocking::get(format!("{base}/sim/faults"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(faults["sms"]["error_rate"], 1.0);
    assert_eq!(faults["registry"]["error_rate"], 0.0);

    let client = reqwest::blocking::Client::new();
    let lan: Value = client
        .get(format!("{base}/registry/people/019195012345"))
        .header("X-Purpose", "kiem-thu")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(lan["full_name"], "Nguyễn Thị Lan");
    let sms = client
        .post(format!("{base}/sms/send"))
        .json(&serde_json::json!({"to": "0912345678", "text": "x"}))
        .send()
        .unwrap();
    assert_eq!(sms.status(), 503);

    // The SMTP sink greets.
    use std::io::{BufRead, BufReader};
    let stream = std::net::TcpStream::connect(("127.0.0.1", smtp)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut greeting = String::new();
    BufReader::new(stream).read_line(&mut greeting).unwrap();
    assert!(greeting.starts_with("220 "), "{greeting}");
}
