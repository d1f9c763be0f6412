//! Administration through the API: agencies' signing keys, the national portal sync.

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
