//! A dossier's internal process through the API: its waiting steps, completing one, and the
//! versions of a procedure's BPMN file (administrators).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_app::{ProcessVersionView, ProcessView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// Officials of the handling agency, or of an agency consulted on the dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/process", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The process, its waiting steps and its drawing (SVG); null without a process"),
        (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Option<ProcessView>>, ApiError> {
    Ok(Json(s.app.dossier_process(&user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StepRequest {
    /// A note; for a consultation step, the consulted agency's opinion (required).
    note: Option<String>,
}

/// The official the waiting step names (role and agency).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/steps/{node}", security(("bearer" = [])),
    params(("id" = String, Path), ("node" = String, Path, description = "The BPMN id of the waiting user task")),
    request_body = StepRequest,
    responses((status = 204, description = "Done"), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn complete_step(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path((id, node)): Path<(String, String)>,
    Json(req): Json<StepRequest>,
) -> Result<StatusCode, ApiError> {
    s.app
        .complete_step(&user, &id, &node, req.note.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Administrators: the stored versions of a procedure's process, newest first.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/process", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, description = "Versions"), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn versions(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Vec<ProcessVersionView>>, ApiError> {
    Ok(Json(s.app.procedure_processes(&user, &code).await?.0))
}

#[derive(Serialize, ToSchema)]
pub struct Uploaded {
    version: i64,
}

/// Administrators: a new version of the procedure's process (the BPMN file as the body). A file
/// that cannot run is refused with 422 and its problems, by line, in `fields.bpmn`.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/process", security(("bearer" = [])), params(("code" = String, Path)),
    request_body(content = String, content_type = "application/xml"),
    responses((status = 201, body = Uploaded), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let version = s.app.upload_process(&user, &code, &body).await?;
    Ok((StatusCode::CREATED, Json(Uploaded { version })))
}
