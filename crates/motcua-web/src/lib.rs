//! HTTP for motcua: server-rendered pages (Vietnamese, no JavaScript needed) and the JSON API
//! under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`. The whole route
//! table is in [`router`]; each handler states who may call it by the extractor it takes.

mod api;
mod auth;
mod chart;
mod error;
mod etag;
mod export;
mod fmt;
pub mod idempotency;
mod multipart;
mod pages;
pub mod qr;

use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use motcua_app::App;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use api::ApiDoc;

/// Largest request body for forms with files: a few scanned components.
pub(crate) const UPLOAD_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// A request that takes longer is answered 503 rather than left hanging.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What every handler gets.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    /// Mark the session cookie `Secure` (behind HTTPS in production).
    pub secure_cookies: bool,
}

/// The whole route table.
pub fn router(state: AppState) -> Router {
    let uploads = Router::new()
        .route("/procedures/{code}/file", post(pages::filing::file_new))
        .route("/dossiers/{id}/edit", post(pages::filing::file_edit))
        .route("/dossiers/{id}/result", post(pages::dossier::attach_result))
        .route(
            "/admin/procedures/{code}/process",
            post(pages::admin::upload_process),
        )
        .route(
            "/api/v1/dossiers/{id}/attachments",
            post(api::dossiers::attach),
        )
        .route(
            "/api/v1/dossiers/{id}/result",
            post(api::dossiers::attach_result),
        )
        .route(
            "/dossiers/{id}/correction",
            post(pages::dossier::correct_result),
        )
        .route(
            "/api/v1/dossiers/{id}/correction",
            post(api::dossiers::correct_result),
        )
        .route(
            "/verify/{code}",
            get(pages::verify::show).post(pages::verify::check_file),
        )
        .route(
            "/api/v1/verify/{code}",
            get(api::catalog::verify).post(api::catalog::check_file),
        )
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    Router::new()
        // public
        .route("/", get(pages::public::home))
        .route("/healthz", get(pages::public::healthz))
        .route("/readyz", get(pages::public::readyz))
        .route("/static/app.css", get(pages::public::stylesheet))
        .route("/static/autosave.js", get(pages::filing::autosave_script))
        .route("/procedures", get(pages::public::procedures))
        .route("/procedures/{code}", get(pages::public::procedure))
        .route("/status", get(pages::public::status))
        .route(
            "/login",
            get(pages::session::login_page).post(pages::session::login),
        )
        .route("/logout", post(pages::session::logout))
        // signed in
        .route("/procedures/{code}/file", get(pages::filing::file_new_page))
        .route("/dossiers", get(pages::dossier::list))
        .route("/dossiers/bulk", post(pages::queue::bulk))
        .route("/dossiers/load", get(pages::queue::load))
        .route("/dossiers/{id}", get(pages::dossier::show))
        .route("/dossiers/{id}/edit", get(pages::filing::file_edit_page))
        .route(
            "/desk/intake",
            get(pages::desk::form).post(pages::desk::start),
        )
        .route("/me/data", get(pages::mydata::show))
        .route("/me/data/flags", post(pages::mydata::flag))
        .route("/me/documents", get(pages::documents::show))
        .route("/me/documents/{id}/forget", post(pages::documents::forget))
        .route(
            "/procedures/{code}/draft",
            post(pages::filing::autosave_new),
        )
        .route("/dossiers/{id}/draft", post(pages::filing::autosave_edit))
        .route("/dossiers/{id}/receipt", get(pages::dossier::receipt))
        .route("/dossiers/{id}/slips/{file}", get(pages::slips::pdf))
        .route(
            "/dossiers/{id}/result/generate",
            post(pages::result_doc::generate),
        )
        .route("/dossiers/{id}/payment", post(pages::payment::start))
        .route(
            "/dossiers/{id}/payment/return",
            get(pages::payment::returned),
        )
        .route(
            "/dossiers/{id}/payments/{payment}",
            get(pages::payment::receipt),
        )
        .route("/dossiers/{id}/actions/{action}", post(pages::dossier::act))
        .route(
            "/dossiers/{id}/steps/{node}",
            post(pages::dossier::complete_step),
        )
        .route(
            "/dossiers/{id}/feedback",
            get(pages::feedback::dossier_form).post(pages::feedback::dossier_send),
        )
        .route(
            "/feedback/new",
            get(pages::feedback::procedure_form).post(pages::feedback::procedure_send),
        )
        .route("/me/feedback", get(pages::feedback::mine))
        .route("/feedback", get(pages::feedback::agency))
        .route("/feedback/{id}/answer", post(pages::feedback::answer))
        .route(
            "/me/feedback/{id}/rating",
            post(pages::feedback::rate_answer),
        )
        .route("/files/{id}", get(pages::dossier::download))
        .route(
            "/admin/calendar",
            get(pages::admin::calendar).post(pages::admin::set_day),
        )
        .route("/admin/calendar/delete", post(pages::admin::clear_day))
        .route("/admin/sync", get(pages::sync::show))
        .route("/admin/sync/{id}/retry", post(pages::sync::retry))
        .route("/admin/procedures", get(pages::admin::procedures))
        .route("/admin/procedures/{code}", get(pages::admin::procedure))
        // API
        .route("/api/v1/openapi.json", get(api::openapi))
        .route(
            "/api/v1/session",
            post(api::session::login).delete(api::session::logout),
        )
        .route("/api/v1/procedures", get(api::catalog::search))
        .route("/api/v1/procedures/{code}", get(api::catalog::procedure))
        .route("/api/v1/status/{code}", get(api::catalog::status))
        .route(
            "/api/v1/dossiers",
            get(api::dossiers::list).post(api::dossiers::create),
        )
        .route(
            "/api/v1/desk/dossiers",
            post(api::dossiers::create_on_behalf),
        )
        .route(
            "/api/v1/dossiers/bulk-actions",
            post(api::dossiers::act_on_many),
        )
        .route("/api/v1/agency/load", get(api::dossiers::load))
        .route("/api/v1/dossiers/{id}", get(api::dossiers::show))
        .route(
            "/api/v1/dossiers/{id}/form",
            axum::routing::put(api::dossiers::update_form),
        )
        .route("/api/v1/dossiers/{id}/actions", post(api::dossiers::act))
        .route("/api/v1/dossiers/{id}/process", get(api::process::show))
        .route(
            "/api/v1/dossiers/{id}/steps/{node}",
            post(api::process::complete_step),
        )
        .route(
            "/api/v1/procedures/{code}/process",
            get(api::process::versions).post(api::process::upload),
        )
        .route("/api/v1/files/{id}", get(api::dossiers::download))
        .route("/api/v1/me/access-log", get(api::dossiers::access_log))
        .route(
            "/api/v1/dossiers/{id}/feedback",
            post(api::feedback::give_on_dossier),
        )
        .route("/api/v1/me/feedback", get(api::feedback::mine))
        .route(
            "/api/v1/feedback",
            get(api::feedback::agency).post(api::feedback::give_on_procedure),
        )
        .route("/api/v1/feedback/{id}/answer", post(api::feedback::answer))
        .route(
            "/api/v1/me/feedback/{id}/rating",
            post(api::feedback::rate_answer),
        )
        .route("/api/v1/dossiers/{id}/fees", get(api::payments::fees))
        .route("/api/v1/dossiers/{id}/payments", post(api::payments::start))
        .route(
            "/api/v1/dossiers/{id}/payments/{payment}",
            get(api::payments::receipt),
        )
        .route("/api/v1/payments/callback", post(api::payments::callback))
        .route("/api/v1/me/documents", get(api::documents::mine))
        .route("/api/v1/admin/sync", get(api::keys::sync_status))
        .route(
            "/api/v1/admin/outbox/dead-letters",
            get(api::keys::dead_letters),
        )
        .route(
            "/api/v1/admin/outbox/{id}/retry",
            post(api::keys::retry_dead_letter),
        )
        .route("/api/v1/admin/jobs", post(api::keys::run_jobs))
        .route("/api/v1/indices", get(api::indices::figures))
        .route("/api/v1/ranking", get(api::indices::ranking))
        .route("/api/v1/admin/indices/rebuild", post(api::indices::rebuild))
        .route("/dashboard", get(pages::indices::dashboard))
        .route("/dashboard/{file}", get(pages::indices::dashboard_export))
        .route("/transparency/{code}", get(pages::indices::transparency))
        .route(
            "/transparency/{code}/{file}",
            get(pages::indices::transparency_export),
        )
        .route("/ranking", get(pages::indices::ranking))
        .route("/ranking/{file}", get(pages::indices::ranking_export))
        .route("/api/v1/dossiers/{id}/reuse", post(api::documents::reuse))
        .route(
            "/api/v1/agencies/{code}/signing-key",
            post(api::keys::rotate_key),
        )
        .merge(uploads)
        .fallback(pages::public::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotent,
        ))
        .layer(middleware::from_fn(watch_transactions))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(etag::conditional_get))
        .layer(middleware::from_fn(log_request))
        .layer(CompressionLayer::new())
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .with_state(state)
}

/// Scripts, styles and images from this origin only; forms post here only (a page whose form
/// leads to the payment gateway adds the gateway, see [`csp_with_form_target`]).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy for a page whose form is answered with a redirect to `origin` (browsers check
/// `form-action` on the redirect too).
pub fn csp_with_form_target(origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    )
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// One structured line per request: method, path (never the query string, which may carry
/// personal data), status and latency.
async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let latency_us = start.elapsed().as_micros() as u64;
    tracing::info!(target: "motcua::http", %method, %path, status, latency_us, "request");
    response
}

/// Every request runs with the store's rule watched: no second connection, no outside call
/// while it holds a transaction (see `motcua_store::watched`).
async fn watch_transactions(req: Request, next: Next) -> Response {
    motcua_app::watched(next.run(req)).await
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
