//! Administration through the API: agencies' signing keys, the national portal sync, the
//! outbox's dead letters and the background jobs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct KeyRotated {
    /// The agency's new Ed25519 public key (hex); results signed before keep verifying.
    public_key: String,
}

/// Administrators: a new signing key for an agency (by its code, e.g. `000.00.02.H19`).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/signing-key", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 201, body = KeyRotated), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn rotate_key(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(code): Path<String>,
) -> Result<(StatusCode, Json<KeyRotated>), ApiError> {
    let public_key = s.app.rotate_agency_key(&user, &code).await?;
    Ok((StatusCode::CREATED, Json(KeyRotated { public_key })))
}

/// Administrators and supervisors: how the national portal sync stands.
#[utoipa::path(get, path = "/api/v1/admin/sync", security(("bearer" = [])),
    responses((status = 200, description = "Sync rate, backlog, oldest unsynced event"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn sync_status(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
) -> Result<Json<motcua_app::SyncStatus>, ApiError> {
    Ok(Json(s.app.sync_status(&user).await?))
}

/// Administrators: the messages (portal sync, e-mail, SMS) given up after their last try.
#[utoipa::path(get, path = "/api/v1/admin/outbox/dead-letters", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "From the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "Dead letters, newest first: channel, dossier code, attempts, last error; a page, `Link: rel=\"next\"` when there is more"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn dead_letters(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(paging): axum::extract::Query<super::dossiers::PageQuery>,
) -> Result<axum::response::Response, ApiError> {
    let page = s.app.dead_letters(&user, &paging.request()).await?;
    Ok(super::dossiers::paged(
        page.items,
        page.next
            .map(|n| paging.next_href("/api/v1/admin/outbox/dead-letters", &n)),
    ))
}

/// Administrators: sends a dead letter again (one more try, now).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 202, description = "Queued again"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn retry_dead_letter(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.app.retry_dead_letter(&user, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Administrators: runs every background job now (outbox, payment reconciliation, process
/// timers, the national portal pull, reminders, sessions) and says what each did.
#[utoipa::path(post, path = "/api/v1/admin/jobs", security(("bearer" = [])),
    responses((status = 200, description = "What each job did"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn run_jobs(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
) -> Result<Json<motcua_app::workers::DueJobs>, ApiError> {
    Ok(Json(s.app.run_jobs_now(&user).await?))
}
