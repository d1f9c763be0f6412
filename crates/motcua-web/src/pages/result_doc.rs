//! The leader generates the result document instead of uploading one: the agency's result notice
//! as PDF, carrying a QR to the public check at `/verify/{code}`; it is attached like an uploaded
//! result and signed with the agency's key when the leader approves.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use motcua_app::AppError;
use motcua_app::domain::calendar::vietnam_tz;
use motcua_slips as slips;
use serde::Deserialize;

use super::dossier::refused;
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

/// Longest decision text.
const MAX_DECISION_CHARS: usize = 4000;

#[derive(Deserialize)]
pub struct GenerateForm {
    csrf: Option<String>,
    #[serde(default)]
    decision: String,
}

/// The leader of the handling agency, while a result may be attached.
pub async fn generate(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<GenerateForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    let d = s.app.dossier_view(&user, &id).await?;
    let decision = motcua_app::domain::text::clean(&f.decision);
    if decision.is_empty() || decision.chars().count() > MAX_DECISION_CHARS {
        let e = AppError::invalid("Vui lòng nhập nội dung quyết định (tối đa 4.000 ký tự).");
        return refused(&s, user, &id, e).await;
    }
    let code = d.code.clone().ok_or(AppError::NotFound)?;
    let now = Timestamp::now();
    let document = slips::Slip::ResultDocument(slips::ResultDocument {
        head: slips::Letterhead {
            agency: d.agency_name.clone(),
            place: super::slips::place_of(&d.agency_name),
            issued_on: now.to_zoned(vietnam_tz()).date(),
        },
        dossier: slips::Dossier {
            code: code.clone(),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant_name.clone(),
            public_url: super::follow::absolute_url(&headers, ""),
        },
        result: d.procedure.definition.result.clone(),
        decision,
        decided_at: now.to_zoned(vietnam_tz()).datetime(),
        signer: Some(user.display_name.clone()),
    });
    let bytes = document
        .to_pdf()
        .map_err(|e| AppError::Internal(format!("result document: {e}")))?;
    match s
        .app
        .attach_result(&user, &id, &format!("{code}-ket-qua.pdf"), &bytes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/dossiers/{id}?done=result")).into_response()),
        Err(e @ (AppError::File(_) | AppError::Invalid { .. } | AppError::Forbidden(_))) => {
            refused(&s, user, &id, e).await
        }
        Err(e) => Err(e.into()),
    }
}
