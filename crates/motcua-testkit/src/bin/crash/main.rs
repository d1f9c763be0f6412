//! The crash harness: clients file, receive and pay through the API with idempotency keys and
//! record every acknowledged answer, while the server is killed with SIGKILL at random moments
//! (and, given the commands, its PostgreSQL too) and started again. At the end the server runs
//! its due jobs, `motcua verify` checks the store, and every acknowledged action must be
//! present exactly once. Run it through `bench/crash.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod workload;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use rand::Rng;

#[derive(Parser, Clone)]
#[command(
    about = "Kills motcua at random moments under load; checks nothing acknowledged is lost or doubled"
)]
pub struct Args {
    /// The motcua binary.
    #[arg(long)]
    pub bin: PathBuf,
    /// A fresh folder for the data, the logs and the journal.
    #[arg(long)]
    pub work: PathBuf,
    /// Kill-and-restart cycles.
    #[arg(long, default_value_t = 50)]
    pub cycles: u32,
    /// PostgreSQL instead of SQLite (a private cluster: the harness may kill it).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Shell command that crashes the database (e.g. pg_ctl stop -m immediate).
    #[arg(long)]
    pub kill_db: Option<String>,
    /// Shell command that starts the database again.
    #[arg(long)]
    pub start_db: Option<String>,
    /// Crash the database too every this many cycles (with --kill-db and --start-db).
    #[arg(long, default_value_t = 3)]
    pub kill_db_every: u32,
    /// Concurrent clients.
    #[arg(long, default_value_t = 6)]
    pub clients: usize,
    /// Longest run between two kills, in milliseconds (each is random, at least a fifth of it).
    #[arg(long, default_value_t = 2500)]
    pub max_run_ms: u64,
    /// Where to write the summary (appended as one JSON line).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Servers on the one database (PostgreSQL) and the one data folder; each cycle kills one
    /// of them at random.
    #[arg(long, default_value_t = 1)]
    pub nodes: usize,
    /// The nodes' ports, comma-separated (a load balancer in front is configured with them).
    #[arg(long, value_delimiter = ',')]
    pub node_ports: Vec<u16>,
    /// The URL the clients use: the load balancer in front of the nodes (default: node 1).
    #[arg(long)]
    pub entry: Option<String>,
    /// How long a killed node stays down before it is started again, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub down_ms: u64,
}

const SECRET: &str = "crash-harness-secret";
const MERCHANT: &str = "MOTCUA-CRASH";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server under test, started and killed by the harness.
pub struct Target {
    args: Args,
    pub base: String,
    port: u16,
    sim: String,
    child: Option<Child>,
    starts: u32,
}

impl Target {
    fn command(&self, sub: &str) -> Command {
        let mut cmd = Command::new(&self.args.bin);
        cmd.arg(sub)
            .args(["--data", self.args.work.join("data").to_str().unwrap()])
            .env("MOTCUA_LOG", "warn")
            .env_remove("MOTCUA_DATABASE_URL");
        if let Some(url) = &self.args.database_url {
            cmd.args(["--database-url", url]);
        }
        cmd
    }

    /// Starts the server (the first node's first time `demo`, which seeds) and waits until it
    /// is ready.
    pub async fn start(&mut self) {
        let sub = if self.starts == 0 { "demo" } else { "serve" };
        let mut cmd = self.command(sub);
        cmd.args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--gateway-url", &self.sim, "--portal-url", &self.sim])
            .args(["--merchant-id", MERCHANT, "--payment-secret", SECRET])
            .args([
                "--public-url",
                self.args.entry.as_deref().unwrap_or(&self.base),
            ]);
        if sub == "demo" {
            cmd.arg("--no-simulators");
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.args.work.join("server.log"))
            .unwrap();
        self.child = Some(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::from(log))
                .spawn()
                .unwrap(),
        );
        self.starts += 1;
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            let ready = http
                .get(format!("{}/readyz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not come back within 2 minutes (see server.log)"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait, for the final check.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

fn shell(cmd: &str) {
    let status = Command::new("sh").args(["-c", cmd]).status().unwrap();
    assert!(status.success(), "`{cmd}` failed");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = Args::parse();
    std::fs::create_dir_all(&args.work).unwrap();
    let backend = if args.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let ports: Vec<u16> = if args.node_ports.is_empty() {
        (0..args.nodes.max(1)).map(|_| free_port()).collect()
    } else {
        args.node_ports.clone()
    };
    let entry = args
        .entry
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{}", ports[0]));
    let base = entry.clone();
    let sim_port = free_port();
    let sim = format!("http://127.0.0.1:{sim_port}");
    let mut simulators = Command::new(&args.bin)
        .args(["sim", "--listen", &format!("127.0.0.1:{sim_port}")])
        .args(["--smtp", &format!("127.0.0.1:{}", free_port())])
        .args([
            "--callback-url",
            &format!("{base}/api/v1/payments/callback"),
        ])
        .args(["--merchant-id", MERCHANT, "--secret", SECRET])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut targets: Vec<Target> = ports
        .iter()
        .enumerate()
        .map(|(i, port)| Target {
            args: args.clone(),
            base: format!("http://127.0.0.1:{port}"),
            port: *port,
            sim: sim.clone(),
            child: None,
            // Only the first node seeds (`demo`); the others join it (`serve`).
            starts: u32::from(i > 0),
        })
        .collect();
    for t in &mut targets {
        t.start().await;
    }
    println!(
        "crash harness · {backend} · {} node(s) · {} cycles · {} clients",
        targets.len(),
        args.cycles,
        args.clients
    );

    let journal = Arc::new(workload::Journal::default());
    let mut kills: Vec<Instant> = Vec::new();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..args.clients)
        .map(|_| {
            let w = workload::Client::new(&base, journal.clone(), stop.clone());
            tokio::spawn(w.run())
        })
        .collect();
    let started = Instant::now();
    for cycle in 1..=args.cycles {
        let run = rand::thread_rng().gen_range(args.max_run_ms / 5..=args.max_run_ms);
        tokio::time::sleep(Duration::from_millis(run)).await;
        let victim = rand::thread_rng().gen_range(0..targets.len());
        targets[victim].kill();
        kills.push(Instant::now());
        let db_too = args.kill_db.is_some() && cycle % args.kill_db_every == 0;
        if db_too {
            shell(args.kill_db.as_deref().unwrap());
            shell(args.start_db.as_deref().unwrap());
        }
        let down = Instant::now();
        tokio::time::sleep(Duration::from_millis(args.down_ms)).await;
        targets[victim].start().await;
        println!(
            "cycle {cycle}/{}: node {} killed after {run} ms{}, back in {} ms; acknowledged so far {}",
            args.cycles,
            victim + 1,
            if db_too { " with its database" } else { "" },
            down.elapsed().as_millis(),
            journal.acknowledged()
        );
    }
    // After the last kill the clients go on for as long as the run before it lasted at most,
    // so the latency after the recovery is measured too.
    tokio::time::sleep(Duration::from_millis(args.down_ms.max(args.max_run_ms))).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let draining = Instant::now();
    for c in clients {
        let _ = tokio::time::timeout(Duration::from_secs(120), c).await;
    }
    let run_secs = started.elapsed().as_secs_f64();
    println!(
        "clients done {} ms after the last cycle",
        draining.elapsed().as_millis()
    );
    let latency = check::latency(&journal, started, &kills);
    let outcome = check::settle_and_check(&mut targets[0], &journal, &sim).await;
    for t in &mut targets {
        t.stop();
    }
    let verified = targets[0]
        .command("verify")
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let verify_out = String::from_utf8_lossy(&verified.stdout).to_string();
    let _ = simulators.kill();
    let _ = simulators.wait();

    let summary = serde_json::json!({
        "backend": backend,
        "cycles": args.cycles,
        "database_crashes": if args.kill_db.is_some() { args.cycles / args.kill_db_every } else { 0 },
        "seconds": (run_secs * 10.0).round() / 10.0,
        "acknowledged": outcome.acknowledged,
        "lost": outcome.lost.len(),
        "duplicated": outcome.duplicated.len(),
        "unanswered_retries": journal.anomalies(),
        "verify_exit": verified.status.code(),
        "nodes": targets.len(),
        "latency": latency,
    });
    println!("{verify_out}");
    println!("{summary}");
    for l in outcome.lost.iter().chain(&outcome.duplicated).take(20) {
        println!("  {l}");
    }
    if let Some(path) = &args.report {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(f, "{summary}").unwrap();
    }
    let ok = outcome.lost.is_empty() && outcome.duplicated.is_empty() && verified.status.success();
    std::process::exit(if ok { 0 } else { 1 });
}
