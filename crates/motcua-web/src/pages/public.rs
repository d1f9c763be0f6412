//! Pages anyone may open: home, catalog, procedure, status by code, health.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::{AppError, ProcedureView, PublicStatus};
use serde::Deserialize;

use super::{Layout, render, render_status};
use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::PageError;

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

/// Anyone: answers 200 when the database answers.
pub async fn healthz(State(s): State<AppState>) -> Response {
    match s.app.health().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

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
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct Procedures {
    layout: Layout,
    query: String,
    procedures: Vec<ProcedureView>,
}

/// Anyone.
pub async fn procedures(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let query: String = q.q.trim().chars().take(200).collect();
    let catalog = s.app.catalog();
    let procedures = catalog.search(&query).into_iter().cloned().collect();
    render(&Procedures {
        layout: Layout::new("Thủ tục hành chính", user),
        query,
        procedures,
    })
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    layout: Layout,
    p: ProcedureView,
    fee: String,
    agencies: String,
}

/// Anyone.
pub async fn procedure(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let catalog = s.app.catalog();
    let p = catalog.procedure(&code).ok_or(AppError::NotFound)?;
    let names: Vec<&str> = catalog
        .agencies_for(p)
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    render(&ProcedurePage {
        layout: Layout::new(p.name.clone(), user),
        fee: crate::fmt::fee_line(p.fee_vnd, p.online_fee_vnd),
        agencies: names.join("; "),
        p: p.clone(),
    })
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
