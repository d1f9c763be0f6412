//! Pages anyone may open: home, catalog, procedure, status by code, health.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::{AppError, ProcedureView, PublicStatus};
use serde::Deserialize;

use super::{Layout, render, render_status};
use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::PageError;

mod catalog;
pub use catalog::{procedure, procedures};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    procedures: Vec<ProcedureView>,
}

/// Anyone.
pub async fn home(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, PageError> {
    let catalog = s.app.catalog();
    let procedures = catalog.procedures.iter().take(6).cloned().collect();
    render(&Home {
        layout: Layout::new("Trang chủ", user),
        procedures,
    })
}

/// Anyone: the process is alive and serving (liveness; it asks nothing of its dependencies).
pub async fn healthz() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// Anyone (load balancers): whether this node can serve now, naming each dependency that
/// fails — 200 when all answer, 503 otherwise. The process itself is `/healthz`.
pub async fn readyz(State(s): State<AppState>) -> Response {
    let r = s.app.readiness(READY_WAIT).await;
    let check = |outcome: &Result<(), String>, name: &str| match outcome {
        Ok(()) => serde_json::json!("ok"),
        Err(cause) => {
            tracing::warn!(dependency = name, %cause, "not ready");
            serde_json::json!({"error": cause})
        }
    };
    let body = serde_json::json!({
        "ready": r.is_ready(),
        "checks": {"database": check(&r.database, "database"), "files": check(&r.files, "files")},
    });
    let status = if r.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// How long `/readyz` waits for each dependency.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Anyone.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    code: String,
    status: Option<PublicStatus>,
}

/// Anyone holding a dossier code: progress only, no personal data.
pub async fn status(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<StatusQuery>,
) -> Result<Response, PageError> {
    let code: String = q.code.trim().chars().take(64).collect();
    let status = if code.is_empty() {
        None
    } else {
        s.app.public_status(&code).await?
    };
    let http = if !code.is_empty() && status.is_none() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    render_status(
        http,
        &StatusPage {
            layout: Layout::new("Tra cứu hồ sơ", user),
            code,
            status,
        },
    )
}

/// Anything unknown.
pub async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}
