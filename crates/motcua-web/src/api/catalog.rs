//! The public catalog and dossier status.

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use motcua_app::{AppError, CatalogAnswer, ProcedureFilter, PublicStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find in the name, field, agency, components or result, or a whole code; case and
    /// diacritics are ignored ("dang ky khai sinh" finds "Đăng ký khai sinh"). At most 200
    /// characters are used.
    #[serde(default)]
    q: String,
    /// `province` or `commune`.
    #[serde(default)]
    level: String,
    /// An agency key, as in `agency_key` of the results.
    #[serde(default)]
    agency: String,
    /// A field, as in `field` of the results (case and diacritics ignored).
    #[serde(default)]
    field: String,
    /// Online service level: `full` or `partial`.
    #[serde(default)]
    online: String,
    /// Lines per page, 1–200 (default 50).
    #[serde(default)]
    limit: Option<u32>,
    /// From the `Link: rel="next"` header of the page before.
    #[serde(default)]
    cursor: String,
}

/// Anyone: current procedures matching the words and filters, best match first (catalog order
/// without words). A filter value not in the catalog is a 400 with the offending parameters in
/// `fields`.
#[utoipa::path(get, path = "/api/v1/procedures", params(SearchParams),
    responses(
        (status = 200, description = "Matching procedures, current versions, best match first; a page, `Link: rel=\"next\"` when there is more"),
        (status = 400, description = "A filter value is not in the catalog",
            body = super::ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(p): Query<SearchParams>,
) -> Result<axum::response::Response, ApiError> {
    let catalog = s.app.catalog();
    // The same question to the same catalog: the same answer, drawn once.
    let answer = catalog.answer(raw.as_deref().unwrap_or(""), || {
        let paging = super::dossiers::PageQuery {
            limit: p.limit,
            cursor: p.cursor,
        };
        let filter = ProcedureFilter {
            q: p.q,
            level: p.level,
            agency: p.agency,
            field: p.field,
            online: p.online,
        };
        let (page, _) = catalog.search_page(&filter, &paging.request())?;
        let next = page.next.map(|n| next_search(&filter, paging.limit, &n));
        let body =
            serde_json::to_vec(&page.items).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(CatalogAnswer {
            fingerprint: crate::etag::tag_of(&body),
            body: body.into(),
            next,
        })
    })?;
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from(answer.body.clone()),
    )
        .into_response();
    if let Ok(tag) = HeaderValue::from_str(&answer.fingerprint) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    if let Some(href) = &answer.next
        && let Ok(value) = HeaderValue::from_str(&format!("<{href}>; rel=\"next\""))
    {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

/// The same search, the next page.
pub(crate) fn next_search(filter: &ProcedureFilter, limit: Option<u32>, cursor: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &filter.q),
        ("level", &filter.level),
        ("agency", &filter.agency),
        ("field", &filter.field),
        ("online", &filter.online),
    ] {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    if let Some(l) = limit {
        q.append_pair("limit", &l.to_string());
    }
    q.append_pair("cursor", cursor);
    format!("/api/v1/procedures?{}", q.finish())
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
    body["agency_name"] = catalog.agency_name(&p.agency_key).into();
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

/// Anyone: the check of a dossier's signed results (no personal data).
#[utoipa::path(get, path = "/api/v1/verify/{code}", params(("code" = String, Path)),
    responses((status = 200, description = "The signed results and whether each signature holds"), (status = 404, body = super::ErrorBody)))]
pub async fn verify(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<axum::Json<motcua_app::VerificationView>, crate::error::ApiError> {
    let v = s
        .app
        .verification(&code)
        .await?
        .ok_or(motcua_app::AppError::NotFound)?;
    Ok(axum::Json(v))
}

/// Anyone: compares an uploaded file (multipart `file`) with the dossier's signed results;
/// nothing is stored. `check` is valid, revoked, altered or not_this_result.
#[utoipa::path(post, path = "/api/v1/verify/{code}", params(("code" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 200, description = "What the check of the file found"), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn check_file(
    State(s): State<AppState>,
    Path(code): Path<String>,
    body: axum::extract::Multipart,
) -> Result<Json<motcua_app::FileCheckView>, ApiError> {
    let form = crate::multipart::read(body).await?;
    let file = form.files.first().ok_or_else(|| {
        AppError::invalid_field("file", "Vui lòng chọn tệp kết quả cần kiểm tra.")
    })?;
    Ok(Json(s.app.verify_file(&code, &file.bytes).await?))
}
