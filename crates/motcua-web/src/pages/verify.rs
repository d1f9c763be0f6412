//! The public check of a result: anyone holding it (or its QR code) opens `/verify/{code}`,
//! sees whether the agency's signature holds, and may upload the file to compare it. No sign-in,
//! no personal data.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::{AppError, FileCheckView, VerificationView};

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::PageError;
use crate::multipart;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    v: VerificationView,
    file: Option<FileCheckView>,
    error: Option<String>,
}

async fn page(
    s: &AppState,
    user: Option<motcua_app::CurrentUser>,
    code: &str,
    file: Option<FileCheckView>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let v = s.app.verification(code).await?.ok_or(AppError::NotFound)?;
    render_status(
        status,
        &VerifyPage {
            layout: Layout::new(format!("Kiểm tra kết quả {code}"), user),
            v,
            file,
            error,
        },
    )
}

/// Anyone.
pub async fn show(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    page(&s, user, &code, None, None, StatusCode::OK).await
}

/// Anyone: compares an uploaded file with the signed results (nothing is stored).
pub async fn check_file(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    let form = multipart::read(body).await?;
    match form.files.first().filter(|f| !f.bytes.is_empty()) {
        Some(f) => {
            let check = s.app.verify_file(&code, &f.bytes).await?;
            page(&s, user, &code, Some(check), None, StatusCode::OK).await
        }
        None => {
            let error = "Vui lòng chọn tệp kết quả cần kiểm tra.".to_string();
            page(
                &s,
                user,
                &code,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
