//! A real motcua server per backend, started once per test binary on a free port, with the demo
//! province seeded: SQLite always; PostgreSQL too when `MOTCUA_TEST_POSTGRES_URL` names a server
//! (CI sets it). Tests speak HTTP to it like any client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;

use std::net::SocketAddr;
use std::sync::OnceLock;

pub use motcua_app::workers::DueJobs;
use motcua_app::{App, Config, Integrations};
use motcua_web::AppState;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

pub const PASSWORD: &str = "MotCua@2026";
pub const LAN: &str = "019195012345";
pub const MINH: &str = "019088001234";
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

pub struct Server {
    pub name: &'static str,
    pub base: String,
    pub data_dir: std::path::PathBuf,
    /// The server's own PostgreSQL database; `None` on SQLite.
    pub database_url: Option<String>,
    jobs: tokio::sync::mpsc::UnboundedSender<JobRun>,
    /// Stops the server when the test is done with it (its pool and its scratch database go).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A request to run the server's due jobs as at an instant, and where to answer.
type JobRun = (
    jiff::Timestamp,
    tokio::sync::oneshot::Sender<motcua_app::workers::DueJobs>,
);

impl Server {
    /// A server the test started some other way (a `motcua` process): its address and folder.
    /// Its jobs run on its own workers.
    pub fn external(name: &'static str, base: &str, data_dir: &std::path::Path) -> Server {
        let (jobs, _) = tokio::sync::mpsc::unbounded_channel();
        Server {
            name,
            base: base.to_string(),
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            jobs,
            stop: None,
        }
    }

    /// Runs the server's background jobs now, to the end, and says what they did; messages
    /// waiting out a backoff are tried at once. Test servers run no workers of their own:
    /// what a test waits for happens here, not after a sleep.
    pub async fn run_due_jobs(&self) -> DueJobs {
        self.run_due_jobs_at(jiff::Timestamp::now()).await
    }

    /// A connection of the test's own to the server's database (to look behind the API, or to
    /// damage something on purpose).
    pub async fn db(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("motcua.db").display()),
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    /// The same, as if it were `at` (a later day: reminders, timers).
    pub async fn run_due_jobs_at(&self, at: jiff::Timestamp) -> DueJobs {
        let (answer, done) = tokio::sync::oneshot::channel();
        self.jobs.send((at, answer)).unwrap();
        done.await.expect("the server ran its jobs")
    }
}

fn start(name: &'static str, database_url: Option<String>) -> Server {
    start_with(name, database_url, Integrations::default())
}

/// A server of its own (not shared with other tests), connected to `integrations`.
pub fn start_with(
    name: &'static str,
    database_url: Option<String>,
    integrations: Integrations,
) -> Server {
    start_at(name, database_url, |_| integrations)
}

/// A server of its own whose integrations depend on its address (callbacks come back to it).
pub fn start_at(
    name: &'static str,
    database_url: Option<String>,
    integrations: impl FnOnce(SocketAddr) -> Integrations,
) -> Server {
    start_configured(name, database_url, |addr, config| {
        config.integrations = integrations(addr)
    })
}

/// A server of its own, its configuration set by `configure` once its address is known; on
/// PostgreSQL (`database_url` names a server) in a fresh database of its own.
pub fn start_configured(
    name: &'static str,
    database_url: Option<String>,
    configure: impl FnOnce(SocketAddr, &mut Config),
) -> Server {
    start_in(name, database_url.map(Database::FreshBeside), configure)
}

/// A server on exactly the PostgreSQL database `url` (already created), e.g. through a link
/// the test can cut.
pub fn start_on_database(
    name: &'static str,
    url: String,
    configure: impl FnOnce(SocketAddr, &mut Config),
) -> Server {
    start_in(name, Some(Database::Exactly(url)), configure)
}

enum Database {
    /// A fresh database created on the server this URL names.
    FreshBeside(String),
    Exactly(String),
}

fn start_in(
    name: &'static str,
    database: Option<Database>,
    configure: impl FnOnce(SocketAddr, &mut Config),
) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let mut config = Config::default();
    configure(addr, &mut config);
    let (tx, rx) = std::sync::mpsc::channel();
    let (jobs, mut job_runs) = tokio::sync::mpsc::unbounded_channel::<JobRun>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let dir = tempfile::tempdir().unwrap().keep();
            let mut scratch_beside = None;
            let url = match database {
                Some(Database::FreshBeside(base)) => {
                    let url = motcua_store::create_scratch_postgres_database(&base)
                        .await
                        .unwrap();
                    scratch_beside = Some(base);
                    Some(url)
                }
                Some(Database::Exactly(url)) => Some(url),
                None => None,
            };
            config.data_dir = dir.clone();
            config.database_url = url.clone();
            let app = App::open(&config).await.unwrap();
            app.seed_demo().await.unwrap();
            let runner = app.clone();
            tokio::spawn(async move {
                while let Some((at, answer)) = job_runs.recv().await {
                    let run = async {
                        runner.expedite_messages(at).await?;
                        runner.run_due_jobs(at).await
                    };
                    let done = motcua_app::watched(run).await.unwrap();
                    let _ = answer.send(done);
                }
            });
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            tx.send((dir, url.clone())).unwrap();
            let serving = motcua_web::serve(
                listener,
                AppState {
                    app: app.clone(),
                    secure_cookies: false,
                },
                std::future::pending(),
            );
            tokio::select! {
                served = serving => served.unwrap(),
                _ = stopped => {}
            }
            app.close().await;
            if let (Some(base), Some(url)) = (scratch_beside, url) {
                drop_scratch_database(&base, &url).await;
            }
        });
    });
    let (data_dir, database_url) = rx.recv().unwrap();
    Server {
        name,
        base: format!("http://{addr}"),
        data_dir,
        database_url,
        jobs,
        stop: Some(stop),
    }
}

/// Drops a test's scratch database (the last part of `url`) from the server `base` names.
async fn drop_scratch_database(base: &str, url: &str) {
    use sqlx::Connection;
    let Some(name) = url
        .rsplit('/')
        .next()
        .filter(|n| n.starts_with("motcua_test_"))
    else {
        return;
    };
    if let Ok(mut conn) = sqlx::AnyConnection::connect(base).await {
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

/// The servers every test runs against.
pub fn servers() -> Vec<&'static Server> {
    static SQLITE: OnceLock<Server> = OnceLock::new();
    static POSTGRES: OnceLock<Option<Server>> = OnceLock::new();
    let mut out = vec![SQLITE.get_or_init(|| start("sqlite", None))];
    let pg = POSTGRES.get_or_init(|| match std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        Ok(url) => Some(start("postgres", Some(url))),
        Err(_) => {
            eprintln!("MOTCUA_TEST_POSTGRES_URL not set: PostgreSQL run skipped");
            None
        }
    });
    out.extend(pg.as_ref());
    out
}

/// Fresh servers of their own on every configured backend, connected to `integrations`.
pub fn own_servers(integrations: impl Fn() -> Integrations) -> Vec<Server> {
    let mut out = vec![start_with("sqlite", None, integrations())];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        out.push(start_with("postgres", Some(url), integrations()));
    }
    out
}

/// Fresh servers of their own on every configured backend, each with what `setup` gives it
/// (its integrations, and whatever the test keeps beside, such as its simulators' address).
pub fn own_servers_with<T>(setup: impl Fn() -> (Integrations, T)) -> Vec<(Server, T)> {
    let mut backends = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        backends.push(("postgres", Some(url)));
    }
    backends
        .into_iter()
        .map(|(name, db)| {
            let (integrations, kept) = setup();
            (start_with(name, db, integrations), kept)
        })
        .collect()
}

/// The built-in simulators (`motcua sim`), started for one test binary; answers their base URL.
pub fn simulators() -> &'static str {
    static SIM: OnceLock<String> = OnceLock::new();
    SIM.get_or_init(|| own_simulators(Default::default()))
}

/// Simulators of one's own (e.g. with the bank's callback pointed at one server).
pub fn own_simulators(config: motcua_integrations::sim::SimConfig) -> String {
    own_simulators_with_smtp(config).0
}

/// Simulators of one's own: their HTTP base URL and their SMTP address.
pub fn own_simulators_with_smtp(
    config: motcua_integrations::sim::SimConfig,
) -> (String, SocketAddr) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let sim = motcua_integrations::sim::spawn(config, http, smtp)
                .await
                .unwrap();
            tx.send((sim.base_url(), sim.smtp_addr)).unwrap();
            std::future::pending::<()>().await;
            drop(sim);
        });
    });
    rx.recv().unwrap()
}

/// An HTTP client that does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A signed-in API caller.
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn login(server: &Server, login: &str) -> Api {
        let http = client();
        let res = http
            .post(format!("{}/api/v1/session", server.base))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login {login}");
        let body: Value = res.json().await.unwrap();
        Api {
            base: server.base.clone(),
            token: body["token"].as_str().unwrap().to_string(),
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Every page of a paged list: follows `Link: <…>; rel="next"` to the end and answers the
    /// lines of all pages as one JSON array, and how many pages there were.
    pub async fn get_all(&self, path: &str) -> (Value, usize) {
        let (mut lines, mut pages, mut next) = (Vec::new(), 0, Some(path.to_string()));
        while let Some(path) = next.take() {
            let res = self
                .http
                .get(self.url(&path))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            next = res
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix('<'))
                .and_then(|v| v.split_once(">; rel=\"next\""))
                .map(|(href, _)| href.to_string());
            let page: Value = res.json().await.unwrap();
            lines.extend(page.as_array().unwrap().iter().cloned());
            pages += 1;
            assert!(pages < 1_000, "the pages of {path} never end");
        }
        (Value::Array(lines), pages)
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn put(&self, path: &str, body: Value) -> StatusCode {
        self.http
            .put(self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string()),
        );
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn act(&self, id: &str, action: &str, reason: Option<&str>) -> (StatusCode, Value) {
        self.post(
            &format!("/api/v1/dossiers/{id}/actions"),
            json!({"action": action, "reason": reason}),
        )
        .await
    }

    /// The agency id of a commune's people's committee for a procedure (5443 = Phan Đình Phùng).
    pub async fn agency_for(&self, procedure: &str, name_part: &str) -> String {
        let (_, p) = self.get(&format!("/api/v1/procedures/{procedure}")).await;
        p["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"].as_str().unwrap().contains(name_part))
            .map(|a| a["id"].as_str().unwrap().to_string())
            .expect("agency")
    }
}

/// A valid HT-01 (birth registration) form.
pub fn birth_form() -> Value {
    json!({
        "child_full_name": "Nguyễn Minh An",
        "child_birth_date": "2026-11-01",
        "child_sex": "Nam",
        "child_birth_place": "Bệnh viện Đa khoa Trung ương Thái Nguyên",
        "child_ethnicity": "Kinh",
        "mother_personal_id": LAN,
        "relationship": "Mẹ"
    })
}

/// A citizen's HT-01 draft at Phan Đình Phùng with a valid form (no file yet); its id.
pub async fn birth_draft(citizen: &Api) -> String {
    let agency = citizen.agency_for("HT-01", "Phan Đình Phùng").await;
    let (status, body) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "HT-01", "agency_id": agency, "form": birth_form()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// A citizen's submitted HT-01 dossier at Phan Đình Phùng; returns (id, code).
pub async fn submitted_birth_dossier(citizen: &Api) -> (String, String) {
    let id = birth_draft(citizen).await;
    let (status, body) = citizen
        .upload(
            &format!("/api/v1/dossiers/{id}/attachments"),
            &[("component_index", "2")],
            "giay-chung-sinh.pdf",
            PDF,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = citizen.act(&id, "submit", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, body["code"].as_str().unwrap().to_string())
}

/// Takes `id` through receipt, appraisal, approval with a result and return.
pub async fn handle_to_return(server: &Server, id: &str) {
    let intake = Api::login(server, "tiepnhan.ubnd5443").await;
    let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
    let leader = Api::login(server, "lanhdao.ubnd5443").await;
    assert_eq!(intake.act(id, "receive", None).await.0, StatusCode::OK);
    assert_eq!(specialist.act(id, "appraise", None).await.0, StatusCode::OK);
    let (status, _) = leader
        .upload(
            &format!("/api/v1/dossiers/{id}/result"),
            &[],
            "ket-qua.pdf",
            b"%PDF-1.4\n% trich luc khai sinh\n%%EOF\n",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(leader.act(id, "approve", None).await.0, StatusCode::OK);
    assert_eq!(
        intake.act(id, "return_result", None).await.0,
        StatusCode::OK
    );
}

/// The value of the first `name="csrf"` hidden field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field");
    let rest = &html[at + 19..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A browser-like client signed in through the login form.
pub async fn page_login(server: &Server, login: &str) -> reqwest::Client {
    let http = client();
    let res = http
        .post(format!("{}/login", server.base))
        .form(&[
            ("login", login),
            ("password", PASSWORD),
            ("next", "/dossiers"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "page login {login}");
    http
}

/// The body of a page fetched by a signed-in browser-like client.
pub async fn page_html(http: &reqwest::Client, url: &str) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

/// A TCP link between a server and its database that a test can cut and mend: a real network
/// outage (connections reset, new ones refused) without touching the database server.
pub struct Link {
    pub addr: SocketAddr,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Link {
    /// Forwards a free local port to `target` (host:port), on a thread of its own.
    pub fn to(target: &str) -> Link {
        use std::sync::atomic::Ordering;
        let target = target.to_string();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((mut inbound, _)) = listener.accept().await else {
                        continue;
                    };
                    if !up2.load(Ordering::SeqCst) {
                        drop(inbound); // refused: closed at once
                        continue;
                    }
                    let target = target.clone();
                    let task = tokio::spawn(async move {
                        if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    open2.lock().unwrap().push(task.abort_handle());
                }
            });
        });
        Link { addr, up, open }
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Lets connections through again.
    pub fn mend(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
