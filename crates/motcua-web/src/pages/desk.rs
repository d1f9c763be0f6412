//! The one-stop desk files for a citizen: at the counter (paper scanned, received at once) or
//! helped online at a support point. This page says for whom and how; the dossier's own form
//! page (`/dossiers/{id}/edit`) then takes the declaration and the scanned components.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::Role;
use motcua_app::domain::channel::FilingMode;
use motcua_app::domain::form::FormValues;
use motcua_app::{AppError, ApplicantInput, CurrentUser};
use serde::Deserialize;

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct IntakeForm {
    csrf: Option<String>,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    personal_id: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "desk_intake.html")]
struct IntakePage {
    layout: Layout,
    csrf: String,
    procedures: Vec<(String, String)>,
    posted: IntakeForm,
    /// (name, label, input type, value).
    fields: Vec<(&'static str, &'static str, &'static str, String)>,
    message: String,
    errors: BTreeMap<String, String>,
}

impl IntakePage {
    fn error(&self, key: &str) -> Option<&String> {
        self.errors.get(key)
    }
}

fn intake_officer_only(user: &CurrentUser) -> Result<(), PageError> {
    if user.role == Role::IntakeOfficer {
        Ok(())
    } else {
        Err(AppError::Forbidden("Chỉ cán bộ tiếp nhận mới nộp hồ sơ thay người dân.".into()).into())
    }
}

fn page(
    s: &AppState,
    user: &CurrentUser,
    posted: IntakeForm,
    message: String,
    errors: BTreeMap<String, String>,
) -> IntakePage {
    let catalog = s.app.catalog();
    let procedures = user
        .agency_id
        .as_deref()
        .map(|a| catalog.procedures_at(a))
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.code.clone(), format!("{} – {}", p.code, p.name)))
        .collect();
    let fields = vec![
        (
            "personal_id",
            "Số định danh cá nhân",
            "text",
            posted.personal_id.clone(),
        ),
        ("full_name", "Họ và tên", "text", posted.full_name.clone()),
        (
            "phone",
            "Số điện thoại nhận tin nhắn (không bắt buộc)",
            "tel",
            posted.phone.clone(),
        ),
        (
            "email",
            "Thư điện tử (không bắt buộc)",
            "email",
            posted.email.clone(),
        ),
    ];
    IntakePage {
        layout: Layout::new("Nộp hồ sơ thay người dân", Some(user.clone())),
        csrf: user.csrf_token.clone(),
        procedures,
        posted,
        fields,
        message,
        errors,
    }
}

/// Intake officers: for whom and how.
pub async fn form(
    State(s): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    intake_officer_only(&user)?;
    let p = page(
        &s,
        &user,
        IntakeForm::default(),
        String::new(),
        BTreeMap::new(),
    );
    render_status(StatusCode::OK, &p)
}

/// Intake officers: starts the citizen's draft and goes on to its form.
pub async fn start(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<IntakeForm>,
) -> Result<Response, PageError> {
    intake_officer_only(&user)?;
    check_csrf(&user, f.csrf.as_deref())?;
    let mode = FilingMode::parse(f.mode.trim()).unwrap_or(FilingMode::Counter);
    let applicant = ApplicantInput {
        personal_id: f.personal_id.clone(),
        full_name: f.full_name.clone(),
        phone: Some(f.phone.clone()),
        email: Some(f.email.clone()),
    };
    let procedure = f.procedure.trim().to_string();
    if procedure.is_empty() || s.app.catalog().procedure(&procedure).is_none() {
        let errors = BTreeMap::from([(
            "procedure".to_string(),
            "Vui lòng chọn thủ tục.".to_string(),
        )]);
        let p = page(&s, &user, f, "Vui lòng chọn thủ tục.".into(), errors);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let started = s
        .app
        .start_on_behalf(
            &user,
            &procedure,
            None,
            mode,
            &applicant,
            &FormValues::new(),
        )
        .await;
    match started {
        Ok(id) => Ok(Redirect::to(&format!("/dossiers/{id}/edit")).into_response()),
        Err(AppError::Invalid { message, fields }) => {
            let p = page(&s, &user, f, message, fields);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
}
