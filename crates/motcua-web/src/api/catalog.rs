//! The public catalog and dossier status.

use axum::Json;
use axum::extract::{Path, Query, State};
use motcua_app::{AppError, ProcedureView, PublicStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words to find in the name, field or code; case and diacritics are ignored.
    #[serde(default)]
    q: String,
}

/// Anyone: procedures matching `q` (all when empty).
#[utoipa::path(get, path = "/api/v1/procedures", params(SearchParams),
    responses((status = 200, description = "Matching procedures, current versions")))]
pub async fn search(
    State(s): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Json<Vec<ProcedureView>> {
    let query: String = p.q.chars().take(200).collect();
    let catalog = s.app.catalog();
    Json(catalog.search(&query).into_iter().cloned().collect())
}

/// Anyone: one procedure with its components, form and fees.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", params(("code" = String, Path)),
    responses((status = 200, description = "The procedure"), (status = 404, body = super::ErrorBody)))]
pub async fn procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let catalog = s.app.catalog();
    let p = catalog.procedure(&code).ok_or(AppError::NotFound)?;
    let agencies: Vec<serde_json::Value> = catalog
        .agencies_for(p)
        .iter()
        .map(|a| serde_json::json!({"id": a.id, "code": a.code, "name": a.name}))
        .collect();
    let mut body = serde_json::to_value(p).map_err(|e| AppError::Internal(e.to_string()))?;
    body["agencies"] = serde_json::Value::Array(agencies);
    Ok(Json(body))
}

/// Anyone holding a dossier code: progress only, no personal data.
#[utoipa::path(get, path = "/api/v1/status/{code}", params(("code" = String, Path)),
    responses((status = 200, description = "Progress"), (status = 404, body = super::ErrorBody)))]
pub async fn status(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PublicStatus>, ApiError> {
    Ok(Json(
        s.app
            .public_status(&code)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}
