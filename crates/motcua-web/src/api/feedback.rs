//! Feedback (phản ánh, kiến nghị) through the API: the same use cases as the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_app::FeedbackInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Deserialize, ToSchema)]
pub struct FeedbackRequest {
    /// Cause codes: device, own_network, portal_error, payment_error, data_sharing,
    /// too_complex, other. At least one cause or some text.
    #[serde(default)]
    causes: Vec<String>,
    /// Free text, at most 2,000 characters.
    #[serde(default)]
    text: String,
}

impl FeedbackRequest {
    fn input(self) -> FeedbackInput {
        FeedbackInput {
            causes: self.causes,
            text: self.text,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ProcedureFeedbackRequest {
    #[serde(default)]
    procedure_code: String,
    /// One of the procedure's agencies (see `GET /api/v1/procedures/{code}`).
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    causes: Vec<String>,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// At most 2,000 characters.
    #[serde(default)]
    answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackCreated {
    id: String,
}

/// The applicant, once the dossier's handling has ended (returned, refused, stopped, withdrawn).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/feedback", security(("bearer" = [])), params(("id" = String, Path)), request_body = FeedbackRequest,
    responses((status = 201, body = FeedbackCreated), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn give_on_dossier(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<FeedbackRequest>,
) -> Result<(StatusCode, Json<FeedbackCreated>), ApiError> {
    let id = s
        .app
        .give_dossier_feedback(&user, &id, &req.input())
        .await?;
    Ok((StatusCode::CREATED, Json(FeedbackCreated { id })))
}

/// Citizens: feedback on a procedure, to one of its agencies.
#[utoipa::path(post, path = "/api/v1/feedback", security(("bearer" = [])), request_body = ProcedureFeedbackRequest,
    responses((status = 201, body = FeedbackCreated), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn give_on_procedure(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Json(req): Json<ProcedureFeedbackRequest>,
) -> Result<(StatusCode, Json<FeedbackCreated>), ApiError> {
    let input = FeedbackInput {
        causes: req.causes,
        text: req.text,
    };
    let id = s
        .app
        .give_procedure_feedback(&user, &req.procedure_code, &req.agency_id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(FeedbackCreated { id })))
}

/// Citizens: my feedback with the agencies' answers, newest first.
#[utoipa::path(get, path = "/api/v1/me/feedback", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "From the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "Feedback with answers; a page, `Link: rel=\"next\"` when there is more"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn mine(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(paging): axum::extract::Query<super::dossiers::PageQuery>,
) -> Result<axum::response::Response, ApiError> {
    let page = s.app.my_feedback(&user, &paging.request()).await?;
    Ok(super::dossiers::paged(
        page.items,
        page.next
            .map(|n| paging.next_href("/api/v1/me/feedback", &n)),
    ))
}

/// Intake officers and leaders: their agency's feedback, unanswered first. Each read of the
/// text is recorded in the author's access log.
#[utoipa::path(get, path = "/api/v1/feedback", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "Lines per page, 1–200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "From the `Link: rel=\"next\"` header of the page before")),
    responses((status = 200, description = "The agency's feedback; a page, `Link: rel=\"next\"` when there is more"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn agency(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    axum::extract::Query(paging): axum::extract::Query<super::dossiers::PageQuery>,
) -> Result<axum::response::Response, ApiError> {
    let page = s.app.agency_feedback(&user, &paging.request()).await?;
    Ok(super::dossiers::paged(
        page.items,
        page.next.map(|n| paging.next_href("/api/v1/feedback", &n)),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRating {
    /// Whether the agency's answer satisfied the author.
    satisfied: bool,
}

/// The author of the feedback, once it is answered; once.
#[utoipa::path(post, path = "/api/v1/me/feedback/{id}/rating", security(("bearer" = [])), params(("id" = String, Path)), request_body = AnswerRating,
    responses((status = 204), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn rate_answer(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<AnswerRating>,
) -> Result<StatusCode, ApiError> {
    s.app
        .rate_feedback_answer(&user, &id, req.satisfied)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Intake officers and leaders of the agency the feedback was sent to; once.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/answer", security(("bearer" = [])), params(("id" = String, Path)), request_body = AnswerRequest,
    responses((status = 204), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn answer(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
    Json(req): Json<AnswerRequest>,
) -> Result<StatusCode, ApiError> {
    s.app.answer_feedback(&user, &id, &req.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}
