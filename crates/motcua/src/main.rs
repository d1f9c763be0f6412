//! `motcua`: the one binary. `demo` seeds a demo province and serves it; `serve` serves an
//! existing installation; `migrate` brings the database schema up to date; `verify` checks
//! that nothing stored was changed behind the system's back.

mod indices_cli;
mod process_cli;
mod sim;
mod verify_cli;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use motcua_app::domain::calendar::{self, Calendar};
use motcua_app::domain::{Role, lunar};
use motcua_app::{App, Config, DEMO_PASSWORD, SeedReport};
use motcua_web::AppState;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's allocator: a request allocates and frees many small buffers
/// across threads (glibc's arenas spent a fifth of the CPU of a status read in malloc and
/// free), and it gives memory back after bursts of PDF drawing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Cổng dịch vụ công và hệ thống một cửa điện tử"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve an existing installation.
    Serve(ServeArgs),
    /// Seed the demo province (once), print the demo logins and serve.
    Demo(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate(StoreArgs),
    /// The working-day calendar: days off, due dates, lunar dates.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Internal processes (BPMN 2.0): check a file, draw it.
    #[command(subcommand)]
    Process(process_cli::ProcessCommand),
    /// Decision 766 figures of a period, as JSON or CSV (the dashboard's numbers).
    Indices(indices_cli::IndicesArgs),
    /// Built-in simulators of the national registries, payment gateway, SMS and mail (for tests and demos).
    Sim(sim::SimArgs),
    /// Check every dossier's event chain, attachment hashes and result signatures; exit 1 on the first broken one.
    Verify(verify_cli::VerifyArgs),
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print a year's days off, one per line: `YYYY-MM-DD name`.
    Holidays {
        year: i16,
        #[command(flatten)]
        store: OptionalStore,
    },
    /// Print the due instant (RFC 3339, Vietnam time) of N working days from a receipt.
    Due {
        /// The receipt instant, RFC 3339 (e.g. 2026-11-20T10:00:00+07:00).
        #[arg(long)]
        from: String,
        /// Legal time in working days; halves allowed (0.5).
        #[arg(long)]
        days: f64,
        #[command(flatten)]
        store: OptionalStore,
    },
    /// Print the Vietnamese lunar date of a solar date as D/M/YYYY (` nhuận` in a leap month).
    Lunar { date: String },
}

/// Where the server's calendar overrides are; without either, Vietnam's defaults are used.
#[derive(Args)]
struct OptionalStore {
    #[arg(long = "data")]
    data_dir: Option<PathBuf>,
    #[arg(long, env = "MOTCUA_DATABASE_URL")]
    database_url: Option<String>,
    #[arg(long, env = "MOTCUA_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    #[arg(long, env = "MOTCUA_CUTOFF", value_parser = parse_time)]
    cutoff: Option<jiff::civil::Time>,
}

#[derive(Args)]
struct StoreArgs {
    /// Folder for the SQLite file, the master key and the attachments.
    #[arg(long = "data", default_value = "./motcua-data")]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://...) instead of the embedded SQLite file.
    #[arg(long, env = "MOTCUA_DATABASE_URL")]
    database_url: Option<String>,
    /// Master key (64 hex characters) instead of DATA/master.key; needed when several nodes share
    /// a PostgreSQL database.
    #[arg(long, env = "MOTCUA_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    /// Local time (HH:MM) after which what arrives is handled from the next working day.
    #[arg(long, env = "MOTCUA_CUTOFF", value_parser = parse_time)]
    cutoff: Option<jiff::civil::Time>,
    /// Database connections this node keeps (PostgreSQL; SQLite: readers, at most 4).
    #[arg(long, env = "MOTCUA_DB_CONNECTIONS", default_value_t = 16)]
    db_connections: u32,
    /// Seconds a request waits for a free database connection before it is answered 503.
    #[arg(long, env = "MOTCUA_DB_WAIT", default_value_t = 5.0)]
    db_wait: f64,
    /// Where attachments and results are kept: file:///path or s3://bucket?endpoint=http://…
    /// (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); default DATA/files. Nodes that
    /// share a database must share this too.
    #[arg(long, env = "MOTCUA_FILES_URL")]
    files_url: Option<String>,
    /// The object store's access key (else AWS_ACCESS_KEY_ID).
    #[arg(long, env = "MOTCUA_FILES_ACCESS_KEY", requires = "files_secret_key")]
    files_access_key: Option<String>,
    /// The object store's secret key (else AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "MOTCUA_FILES_SECRET_KEY", hide_env_values = true)]
    files_secret_key: Option<String>,
}

fn parse_time(s: &str) -> Result<jiff::civil::Time, String> {
    jiff::civil::Time::strptime("%H:%M", s)
        .map_err(|_| format!("{s}: cần giờ dạng HH:MM, ví dụ 15:00"))
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// Mark the session cookie Secure (set this behind HTTPS).
    #[arg(long, env = "MOTCUA_SECURE_COOKIES")]
    secure_cookies: bool,
    #[command(flatten)]
    integrations: IntegrationArgs,
}

/// Where the outside systems are. `demo` starts the built-in simulators for any left out.
#[derive(Args)]
struct IntegrationArgs {
    /// The population registry's address.
    #[arg(long, env = "MOTCUA_REGISTRY_URL")]
    registry_url: Option<String>,
    /// The payment gateway's address.
    #[arg(long, env = "MOTCUA_GATEWAY_URL")]
    gateway_url: Option<String>,
    /// Our merchant id at the gateway.
    #[arg(long, env = "MOTCUA_MERCHANT_ID")]
    merchant_id: Option<String>,
    /// The secret shared with the gateway and the bank (signs requests and notices).
    #[arg(long, env = "MOTCUA_PAYMENT_SECRET", hide_env_values = true)]
    payment_secret: Option<String>,
    /// How the gateway, the bank and returning browsers reach this server (default: http://LISTEN).
    #[arg(long, env = "MOTCUA_PUBLIC_URL")]
    public_url: Option<String>,
    /// The SMS gateway's address (notices by SMS).
    #[arg(long, env = "MOTCUA_SMS_URL")]
    sms_url: Option<String>,
    /// The mail server for notices, HOST:PORT (plain SMTP; use a local relay for TLS).
    #[arg(long, env = "MOTCUA_SMTP")]
    smtp: Option<String>,
    /// The sender of notices.
    #[arg(
        long,
        env = "MOTCUA_MAIL_FROM",
        default_value = "khongtraloi@dichvucong.example.vn"
    )]
    mail_from: String,
    /// The national public service portal's sync API.
    #[arg(long, env = "MOTCUA_PORTAL_URL")]
    portal_url: Option<String>,
    /// Seconds between pulls of the dossiers filed on the national portal (demo: 3).
    #[arg(long, env = "MOTCUA_PORTAL_PULL_SECS")]
    portal_pull_secs: Option<u64>,
    /// `demo` only: do not start the built-in simulators.
    #[arg(long)]
    no_simulators: bool,
}

impl IntegrationArgs {
    fn config(&self, addr: SocketAddr) -> anyhow::Result<motcua_app::Integrations> {
        let mail = match &self.smtp {
            Some(hostport) => Some(mail_config(hostport, &self.mail_from)?),
            None => None,
        };
        Ok(motcua_app::Integrations {
            registry_url: self.registry_url.clone(),
            gateway_url: self.gateway_url.clone(),
            merchant_id: self.merchant_id.clone(),
            payment_secret: self.payment_secret.clone(),
            public_url: Some(
                self.public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{addr}")),
            ),
            sms_url: self.sms_url.clone(),
            mail,
            portal_url: self.portal_url.clone(),
            retry_base: None,
            portal_pull_every: self.portal_pull_secs.map(std::time::Duration::from_secs),
            reminders_every: None,
        })
    }
}

/// Plain SMTP to `HOST:PORT`, from `from`.
pub(crate) fn mail_config(hostport: &str, from: &str) -> anyhow::Result<motcua_app::MailConfig> {
    let (host, port) = hostport
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
        .with_context(|| format!("--smtp {hostport}: cần dạng HOST:PORT, ví dụ 127.0.0.1:25"))?;
    Ok(motcua_app::MailConfig {
        host: host.to_string(),
        port,
        from_address: from.to_string(),
        security: motcua_app::MailSecurity::Plain,
        credentials: None,
        timeout: std::time::Duration::from_secs(30),
    })
}

impl StoreArgs {
    fn config(&self) -> Config {
        Config {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            master_key_hex: self.master_key.clone(),
            cutoff: self.cutoff,
            integrations: Default::default(),
            pool: motcua_app::PoolOptions {
                max_connections: self.db_connections.max(1),
                acquire_timeout: std::time::Duration::from_secs_f64(self.db_wait.clamp(0.1, 600.0)),
            },
            files_url: self.files_url.clone(),
            files_keys: self
                .files_access_key
                .clone()
                .zip(self.files_secret_key.clone()),
        }
    }
}

fn init_logging() {
    let filter =
        EnvFilter::try_from_env("MOTCUA_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Logs go to stderr; stdout carries only what the operator asked for (the demo logins).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if std::env::var("MOTCUA_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().flatten_event(true).init();
    } else {
        builder.compact().init();
    }
}

#[tokio::main]
async fn main() {
    init_logging();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("Lỗi: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate(store) => {
            let app = App::open(&store.config())
                .await
                .context("opening the database")?;
            app.close().await;
            println!("Cơ sở dữ liệu đã được cập nhật (migrated).");
            Ok(())
        }
        Command::Serve(args) => serve(args, false).await,
        Command::Calendar(cmd) => calendar(cmd).await,
        Command::Process(cmd) => process_cli::run(cmd),
        Command::Sim(args) => sim::run(args).await,
        Command::Indices(args) => indices_cli::run(args).await,
        Command::Verify(args) => verify_cli::run(args).await,
        Command::Demo(args) => serve(args, true).await,
    }
}

/// The calendar the server would use: with its overrides when a store is named.
async fn calendar_of(store: OptionalStore) -> anyhow::Result<std::sync::Arc<Calendar>> {
    if store.data_dir.is_none() && store.database_url.is_none() {
        let mut calendar = Calendar::default();
        if let Some(cutoff) = store.cutoff {
            calendar.cutoff = cutoff;
        }
        return Ok(std::sync::Arc::new(calendar));
    }
    let config = Config {
        data_dir: store
            .data_dir
            .unwrap_or_else(|| PathBuf::from("./motcua-data")),
        database_url: store.database_url,
        master_key_hex: store.master_key,
        cutoff: store.cutoff,
        integrations: Default::default(),
        pool: Default::default(),
        files_url: None,
        files_keys: None,
    };
    let app = App::open(&config).await.context("opening the database")?;
    let calendar = app.calendar();
    app.close().await;
    Ok(calendar)
}

async fn calendar(cmd: CalendarCommand) -> anyhow::Result<()> {
    match cmd {
        CalendarCommand::Holidays { year, store } => {
            anyhow::ensure!(
                (calendar::FIRST_YEAR..=calendar::LAST_YEAR).contains(&year),
                "năm phải trong khoảng {}–{}",
                calendar::FIRST_YEAR,
                calendar::LAST_YEAR
            );
            for h in calendar_of(store).await?.days_off_in(year) {
                println!("{} {}", h.date, h.name);
            }
        }
        CalendarCommand::Due { from, days, store } => {
            let at: jiff::Timestamp = from.parse().with_context(|| {
                format!("--from {from}: cần thời điểm RFC 3339, ví dụ 2026-11-20T10:00:00+07:00")
            })?;
            anyhow::ensure!(
                days.is_finite() && (0.0..=3650.0).contains(&days),
                "--days phải từ 0 đến 3650"
            );
            anyhow::ensure!(
                (days * 2.0).fract() == 0.0,
                "--days chỉ nhận số ngày nguyên hoặc nửa ngày (0,5)"
            );
            let due = calendar_of(store).await?.due_at(at, days);
            println!(
                "{}",
                due.to_zoned(calendar::vietnam_tz())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
            );
        }
        CalendarCommand::Lunar { date } => {
            let date: jiff::civil::Date = date
                .parse()
                .with_context(|| format!("{date}: cần ngày dạng YYYY-MM-DD"))?;
            anyhow::ensure!(
                (calendar::FIRST_YEAR..=calendar::LAST_YEAR).contains(&date.year()),
                "năm phải trong khoảng {}–{}",
                calendar::FIRST_YEAR,
                calendar::LAST_YEAR
            );
            println!("{}", lunar::solar_to_lunar(date));
        }
    }
    Ok(())
}

async fn serve(args: ServeArgs, demo: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let mut integrations = args.integrations.config(addr)?;
    if demo && integrations.portal_pull_every.is_none() {
        // What a citizen files on the simulated national portal shows up at the desk at once.
        integrations.portal_pull_every = Some(std::time::Duration::from_secs(3));
    }
    let simulators = if demo && !args.integrations.no_simulators {
        Some(sim::start_for_demo(&mut integrations, &args.integrations.mail_from).await?)
    } else {
        None
    };
    let config = Config {
        integrations,
        ..args.store.config()
    };
    let app = App::open(&config)
        .await
        .context("opening the data folder and database")?;
    if demo {
        let report = app.seed_demo().await.context("seeding the demo province")?;
        print_demo(&report, addr);
    } else {
        println!("motcua đang chạy tại http://{addr}");
    }
    let workers = motcua_app::workers::spawn(&app);
    let state = AppState {
        app: app.clone(),
        secure_cookies: args.secure_cookies,
    };
    motcua_web::serve(listener, state, shutdown_signal()).await?;
    drop(workers);
    app.close().await;
    if let Some(handle) = simulators {
        handle.shutdown().await;
    }
    Ok(())
}

fn print_demo(report: &SeedReport, addr: SocketAddr) {
    println!();
    println!("motcua – bản trình diễn (demo) đang chạy tại  http://{addr}");
    println!(
        "{}",
        if report.seeded {
            "Đã tạo dữ liệu mẫu tỉnh Thái Nguyên."
        } else {
            "Dùng lại dữ liệu đã có."
        }
    );
    println!("Mật khẩu của mọi tài khoản demo: {DEMO_PASSWORD}");
    println!();
    println!("Người dân (đăng nhập bằng số định danh cá nhân):");
    for a in report.accounts.iter().filter(|a| a.role == Role::Citizen) {
        println!("  {}  {}", a.login, a.display_name);
    }
    println!("Cán bộ (tiếp nhận · chuyên viên · lãnh đạo) theo cơ quan:");
    let mut agencies: Vec<&str> = report
        .accounts
        .iter()
        .filter_map(|a| a.agency.as_deref())
        .collect();
    agencies.sort();
    agencies.dedup();
    let rank = |r: Role| {
        [Role::IntakeOfficer, Role::Specialist, Role::Leader]
            .iter()
            .position(|x| *x == r)
    };
    for agency in agencies {
        let mut officials: Vec<_> = report
            .accounts
            .iter()
            .filter(|a| a.agency.as_deref() == Some(agency))
            .collect();
        officials.sort_by_key(|a| rank(a.role));
        let logins: Vec<&str> = officials.iter().map(|a| a.login.as_str()).collect();
        println!("  {agency}: {}", logins.join(" · "));
    }
    for a in report
        .accounts
        .iter()
        .filter(|a| matches!(a.role, Role::Admin | Role::Supervisor))
    {
        println!("{}: {}", a.role.label(), a.login);
    }
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
