//! The personal document store through the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// Citizens: their documents, newest first; a page, `Link: rel="next"` when there is more.
#[utoipa::path(get, path = "/api/v1/me/documents", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "From the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "The citizen's documents; a page, `Link: rel=\"next\"` when there is more"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn mine(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(paging): axum::extract::Query<super::dossiers::PageQuery>,
) -> Result<axum::response::Response, ApiError> {
    let page = s.app.my_documents(&user, &paging.request()).await?;
    Ok(super::dossiers::paged(
        page.items,
        page.next
            .map(|n| paging.next_href("/api/v1/me/documents", &n)),
    ))
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
