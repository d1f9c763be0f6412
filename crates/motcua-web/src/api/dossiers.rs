//! Dossiers through the API: the same use cases as the pages.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_app::domain::dossier::Action;
use motcua_app::domain::{Command, Role};
use motcua_app::{AppError, DossierView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::multipart;

/// Signed-in: citizens get their own dossiers, officials their role's queue.
#[utoipa::path(get, path = "/api/v1/dossiers", security(("bearer" = [])),
    params(("q" = Option<String>, Query, description = "Officials: part of the dossier code or of the procedure's code or name, or the beginnings of the words of the applicant's name"),
        ("urgency" = Option<String>, Query, description = "Officials: overdue, due_today, due_soon, on_time, paused or no_deadline"),
        ("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "Where to resume: taken from the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "A page of dossier lines, most pressing (officials) or most recently changed (citizens) first; a `Link` header with `rel=\"next\"` when there is more"),
        (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(query): axum::extract::Query<crate::pages::dossier::QueueQuery>,
) -> Result<Response, ApiError> {
    let (lines, next) = if user.role == Role::Citizen {
        let page = s
            .app
            .my_dossiers(&user, &query.filter()?, &query.page())
            .await?;
        (page.items, page.next)
    } else {
        let queue = s
            .app
            .work_queue(&user, &query.filter()?, &query.page())
            .await?;
        (queue.lines, queue.next)
    };
    Ok(paged(
        lines,
        next.map(|n| query.next_href("/api/v1/dossiers", &n)),
    ))
}

/// A page of a list as JSON, with `Link: <…>; rel="next"` when there is more (RFC 8288).
pub(crate) fn paged<T: serde::Serialize>(items: Vec<T>, next: Option<String>) -> Response {
    let mut response = Json(items).into_response();
    if let Some(href) = next
        && let Ok(value) = axum::http::HeaderValue::from_str(&format!("<{href}>; rel=\"next\""))
    {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, value);
    }
    response
}

#[derive(Deserialize, ToSchema)]
pub struct CreateDossier {
    procedure_code: String,
    /// One of the procedure's agencies (see `GET /api/v1/procedures/{code}`).
    agency_id: String,
    /// Form values by field key; saved as a draft, judged on submit.
    #[serde(default)]
    form: BTreeMap<String, String>,
    /// Also submit at once (for procedures that need no uploaded file). On a validation error
    /// the draft is kept and its id is in the error's `fields.dossier_id`.
    #[serde(default)]
    submit: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    id: String,
    /// The dossier code, when submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
}

/// Citizens: starts a draft dossier.
#[utoipa::path(post, path = "/api/v1/dossiers", security(("bearer" = [])), request_body = CreateDossier,
    responses((status = 201, body = Created), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Json(req): Json<CreateDossier>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (id, code) = if req.submit {
        let (id, code) = s
            .app
            .file_and_submit(&user, &req.procedure_code, &req.agency_id, &req.form)
            .await?;
        (id, Some(code))
    } else {
        let id = s
            .app
            .start_dossier(&user, &req.procedure_code, &req.agency_id, &req.form)
            .await?;
        (id, None)
    };
    Ok((StatusCode::CREATED, Json(Created { id, code })))
}

#[derive(Deserialize, ToSchema)]
pub struct OnBehalf {
    procedure_code: String,
    /// `counter` (in person at the officer's own desk, received as filed) or `assisted`
    /// (online, helped at a support point).
    mode: String,
    /// Defaults to the officer's own agency.
    #[serde(default)]
    agency_id: Option<String>,
    /// Who the dossier is for, as on their ID card.
    personal_id: String,
    full_name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    form: BTreeMap<String, String>,
}

/// Intake officers: starts a draft for a citizen (in person or assisted); the officer then
/// attaches the scanned components and submits it with the usual calls.
#[utoipa::path(post, path = "/api/v1/desk/dossiers", security(("bearer" = [])), request_body = OnBehalf,
    responses((status = 201, body = Created), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create_on_behalf(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Json(req): Json<OnBehalf>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let mode = motcua_app::domain::channel::FilingMode::parse(req.mode.trim())
        .ok_or_else(|| AppError::invalid("Hình thức nộp phải là «counter» hoặc «assisted»."))?;
    let applicant = motcua_app::ApplicantInput {
        personal_id: req.personal_id,
        full_name: req.full_name,
        phone: req.phone,
        email: req.email,
    };
    let id = s
        .app
        .start_on_behalf(
            &user,
            &req.procedure_code,
            req.agency_id.as_deref(),
            mode,
            &applicant,
            &req.form,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id, code: None })))
}

/// The applicant, or an official of the handling agency.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The dossier with its history"), (status = 404, body = super::ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    Ok(Json(s.app.dossier_view(&user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateForm {
    form: BTreeMap<String, String>,
}

/// The applicant, while the dossier is a draft or being supplemented.
#[utoipa::path(put, path = "/api/v1/dossiers/{id}/form", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateForm,
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update_form(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<UpdateForm>,
) -> Result<StatusCode, ApiError> {
    s.app.update_form(&user, &id, &req.form).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The applicant: multipart with `component_index` and `file`.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/attachments", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "component_index, file"),
    responses((status = 201, body = Created), (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn attach(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let form = multipart::read(body).await?;
    let index = form
        .field("component_index")
        .and_then(|i| i.trim().parse::<usize>().ok())
        .ok_or_else(|| AppError::invalid("Thiếu component_index."))?;
    let file = form
        .files
        .first()
        .ok_or_else(|| AppError::invalid("Thiếu tệp (trường file)."))?;
    let attachment = s
        .app
        .attach_file(&user, &id, index, &file.file_name, &file.bytes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: attachment,
            code: None,
        }),
    ))
}

/// The leader of the handling agency: multipart with `file`.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/result", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Created), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn attach_result(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let form = multipart::read(body).await?;
    let file = form
        .files
        .first()
        .ok_or_else(|| AppError::invalid("Thiếu tệp (trường file)."))?;
    let attachment = s
        .app
        .attach_result(&user, &id, &file.file_name, &file.bytes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: attachment,
            code: None,
        }),
    ))
}

/// The leader of the handling agency, once the result is returned: multipart with `reason` and
/// `file` (the corrected result). The earlier signed results are revoked; the new one is signed.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/correction", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "reason, file"),
    responses((status = 201, body = Created), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn correct_result(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let form = multipart::read(body).await?;
    let (name, bytes) = form.files.first().map_or(("", &[][..]), |f| {
        (f.file_name.as_str(), f.bytes.as_slice())
    });
    let attachment = s
        .app
        .correct_result(&user, &id, form.field("reason"), name, bytes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: attachment,
            code: None,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// submit, resubmit, withdraw, receive, request_supplement, refuse, appraise, send_back,
    /// approve, return_result, rate (a correction of the result goes through
    /// `POST /api/v1/dossiers/{id}/correction`, with the file)
    action: String,
    reason: Option<String>,
    /// 1–3, for `rate`.
    score: Option<u8>,
    /// The new due date (YYYY-MM-DD, a working day), for `apologize`.
    new_due_date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDone {
    code: String,
}

/// Whoever the lifecycle allows for the action.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/actions", security(("bearer" = [])), params(("id" = String, Path)), request_body = ActionRequest,
    responses((status = 200, description = "Done; the dossier code"), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<ActionRequest>,
) -> Result<Json<ActionDone>, ApiError> {
    let action = Action::parse(&req.action)
        .ok_or_else(|| AppError::invalid(format!("Thao tác không hợp lệ: {}", req.action)))?;
    let new_due = match req.new_due_date.as_deref() {
        Some(date) => Some(s.app.due_instant_on(date)?),
        None => None,
    };
    let code = s
        .app
        .act(
            &user,
            &id,
            &Command {
                action,
                reason: req.reason,
                score: req.score,
                new_due,
            },
        )
        .await?;
    Ok(Json(ActionDone { code }))
}

/// Whoever may see the dossier the file belongs to.
#[utoipa::path(get, path = "/api/v1/files/{id}", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = super::ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (name, content_type, bytes) = s.app.download(&user, &id).await?;
    Ok(crate::pages::dossier::file_response(
        &name,
        &content_type,
        bytes,
    ))
}

/// Citizens: who looked at my personal data, when and why.
#[utoipa::path(get, path = "/api/v1/me/access-log", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "Where to resume: from the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "A page of accesses, newest first; `Link: rel=\"next\"` when there is more"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn access_log(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(page): axum::extract::Query<PageQuery>,
) -> Result<Response, ApiError> {
    let log = s.app.my_access_log(&user, &page.request()).await?;
    Ok(paged(
        log.items,
        log.next
            .map(|n| page.next_href("/api/v1/me/access-log", &n)),
    ))
}

/// `limit` and `cursor` of a paged list without filters.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub cursor: String,
}

impl PageQuery {
    pub fn request(&self) -> motcua_app::PageRequest {
        motcua_app::PageRequest {
            limit: self.limit,
            cursor: Some(self.cursor.clone()).filter(|c| !c.is_empty()),
        }
    }

    pub fn next_href(&self, path: &str, next: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(l) = self.limit {
            q.append_pair("limit", &l.to_string());
        }
        q.append_pair("cursor", next);
        format!("{path}?{}", q.finish())
    }
}

#[derive(Deserialize, ToSchema)]
pub struct BulkRequest {
    /// `receive` or `return_result`: the actions the law lets an officer take on many at once.
    action: String,
    /// At most 100 dossier ids.
    ids: Vec<String>,
}

/// Officials: one action on several dossiers; answers what happened to each.
#[utoipa::path(post, path = "/api/v1/dossiers/bulk-actions", security(("bearer" = [])), request_body = BulkRequest,
    responses((status = 200, description = "One outcome per dossier"), (status = 422, body = super::ErrorBody)))]
pub async fn act_on_many(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Json(req): Json<BulkRequest>,
) -> Result<Json<Vec<motcua_app::BulkOutcome>>, ApiError> {
    let action = Action::parse(req.action.trim())
        .ok_or_else(|| AppError::invalid("Thao tác không hợp lệ."))?;
    Ok(Json(s.app.act_on_many(&user, &req.ids, action).await?))
}

/// Leaders and supervisors: the agency's running dossiers by procedure and urgency.
#[utoipa::path(get, path = "/api/v1/agency/load", security(("bearer" = [])),
    responses((status = 200, description = "The agency's load"), (status = 403, body = super::ErrorBody)))]
pub async fn load(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
) -> Result<Json<motcua_app::LoadView>, ApiError> {
    Ok(Json(s.app.agency_load(&user).await?))
}
