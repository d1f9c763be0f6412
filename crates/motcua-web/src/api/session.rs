//! Sign in and out for API callers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Personal ID (citizens) or username (officials).
    login: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    token: String,
    user_id: String,
    role: String,
    agency_id: Option<String>,
}

/// Anyone: exchanges a login and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = super::ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let session = s.app.login(&req.login, &req.password).await?;
    Ok(Json(LoginResponse {
        token: session.token,
        user_id: session.user.id,
        role: session.user.role.as_str().to_string(),
        agency_id: session.user.agency_id,
    }))
}

/// Signed-in callers: ends the session of the token used.
#[utoipa::path(delete, path = "/api/v1/session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = super::ErrorBody)))]
pub async fn logout(State(s): State<AppState>, caller: ApiUser) -> Result<StatusCode, ApiError> {
    s.app.logout(&caller.1).await?;
    Ok(StatusCode::NO_CONTENT)
}
