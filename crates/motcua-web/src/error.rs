//! The one place where use-case errors become HTTP: a Vietnamese page for people, structured
//! JSON for the API. Internal details are logged (never personal data) and never shown.

use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_app::domain::TransitionError;
use motcua_app::{AppError, FileError};
use serde_json::json;

use crate::pages::Layout;

/// HTTP status and a stable machine code for each error.
pub fn classify(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::BadQuery { .. } => (StatusCode::BAD_REQUEST, "bad_query"),
        AppError::Transition(TransitionError::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Transition(_) => (StatusCode::CONFLICT, "invalid_transition"),
        AppError::Step(_) => (StatusCode::CONFLICT, "process_step"),
        AppError::File(FileError::TooLarge { .. }) => {
            (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large")
        }
        AppError::File(FileError::UnsupportedType) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type")
        }
        AppError::File(_) => (StatusCode::BAD_REQUEST, "file_invalid"),
        AppError::Conflict => (StatusCode::CONFLICT, "conflict"),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        AppError::BadSignature(_) => (StatusCode::UNAUTHORIZED, "bad_signature"),
        AppError::Internal(_) | AppError::Storage(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
        AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        AppError::RequestInProgress => (StatusCode::CONFLICT, "in_progress"),
        AppError::AlreadyApplied => (StatusCode::CONFLICT, "already_applied"),
        AppError::StorageDown(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_down"),
    }
}

/// Logs what went wrong on our side with its causes (never personal data: our messages and
/// the database's name no values).
fn log_internal(e: &AppError) {
    match e {
        AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
        AppError::Storage(_) => {
            tracing::error!(cause = %motcua_app::error_chain(e), "internal error")
        }
        AppError::StorageDown(_) => {
            tracing::warn!(cause = %motcua_app::error_chain(e), "database unreachable")
        }
        AppError::Busy => tracing::warn!("no database connection free: answered 503"),
        _ => {}
    }
}

/// `Retry-After` for the answers that ask to come back later.
fn with_retry_after(e: &AppError, mut response: Response) -> Response {
    if let Some(secs) = e.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// An error answered as JSON: `{"error": {"code", "message", "fields"}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.0);
        let (status, code) = classify(&self.0);
        let fields = match &self.0 {
            AppError::Invalid { fields, .. } | AppError::BadQuery { fields, .. } => json!(fields),
            _ => json!({}),
        };
        let body =
            json!({"error": {"code": code, "message": self.0.to_string(), "fields": fields}});
        with_retry_after(&self.0, (status, Json(body)).into_response())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
}

/// An error answered as a Vietnamese page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_internal(&self.0);
        let (status, _) = classify(&self.0);
        let heading = match (status, &self.0) {
            (_, AppError::Busy | AppError::StorageDown(_)) => "Hệ thống tạm thời gián đoạn",
            (StatusCode::NOT_FOUND, _) => "Không tìm thấy trang",
            (StatusCode::FORBIDDEN, _) => "Không có quyền truy cập",
            (StatusCode::UNAUTHORIZED, _) => "Cần đăng nhập",
            (StatusCode::INTERNAL_SERVER_ERROR, _) => "Hệ thống đang gặp sự cố",
            (StatusCode::SERVICE_UNAVAILABLE, _) => "Dịch vụ liên kết tạm thời gián đoạn",
            _ => "Chưa thực hiện được",
        };
        let page = ErrorPage {
            layout: Layout::anonymous(heading),
            heading,
            message: self.0.to_string(),
        };
        let response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        };
        with_retry_after(&self.0, response)
    }
}
