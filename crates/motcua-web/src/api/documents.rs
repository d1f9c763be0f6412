//! The personal document store through the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_app::DocumentView;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// Citizens: their documents, newest first.
#[utoipa::path(get, path = "/api/v1/me/documents", security(("bearer" = [])),
    responses((status = 200, description = "The citizen's documents"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn mine(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    Ok(Json(s.app.my_documents(&user).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReuseRequest {
    /// The upload component's index in the procedure.
    component_index: usize,
    /// One of the caller's documents (`GET /api/v1/me/documents`).
    document_id: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct Reused {
    attachment_id: String,
}

/// The applicant, while the dossier is editable: attaches a document from their store.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/reuse", security(("bearer" = [])), params(("id" = String, Path)), request_body = ReuseRequest,
    responses((status = 201, body = Reused), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn reuse(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<ReuseRequest>,
) -> Result<(StatusCode, Json<Reused>), ApiError> {
    let attachment_id = s
        .app
        .reuse_document(&user, &id, req.component_index, &req.document_id)
        .await?;
    Ok((StatusCode::CREATED, Json(Reused { attachment_id })))
}
