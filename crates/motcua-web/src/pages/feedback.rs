//! Feedback pages: the citizen's form (on a dossier whose handling ended, or on a procedure),
//! "Phản ánh của tôi" with the answers, and the agency's list with an answer form. A form with
//! errors comes back with every message next to its field and everything typed kept.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::feedback::{Cause, MAX_TEXT_CHARS};
use motcua_app::{AppError, CurrentUser, FeedbackInput, FeedbackTarget, FeedbackView};
use serde::Deserialize;

use super::{Layout, render, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

/// A posted form: repeated `causes` keys arrive as pairs (serde_urlencoded has no sequences).
#[derive(Default)]
struct Posted {
    csrf: Option<String>,
    causes: Vec<String>,
    text: String,
    procedure: String,
    agency_id: String,
    answer: String,
}

impl Posted {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut p = Posted::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => p.csrf = Some(v),
                "causes" => p.causes.push(v),
                "text" => p.text = v,
                "procedure" => p.procedure = v,
                "agency_id" => p.agency_id = v,
                "answer" => p.answer = v,
                _ => {}
            }
        }
        p
    }

    fn input(&self) -> FeedbackInput {
        FeedbackInput {
            causes: self.causes.clone(),
            text: self.text.clone(),
        }
    }
}

pub struct CauseVm {
    pub id: String,
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "feedback_form.html")]
struct FormPage {
    layout: Layout,
    csrf: String,
    action: String,
    /// The dossier the feedback is about.
    target: Option<FeedbackTarget>,
    /// The procedure the feedback is about: (code, name).
    procedure: Option<(String, String)>,
    /// Agencies of that procedure: (id, name).
    agencies: Vec<(String, String)>,
    agency_id: String,
    /// Procedures to choose from while none is chosen: (code, name).
    procedures: Vec<(String, String)>,
    causes: Vec<CauseVm>,
    text: String,
    /// The limit as people write it: `2.000`.
    max_chars: String,
    message: String,
    /// (anchor, message) for the error summary.
    errors: Vec<(String, String)>,
    field_errors: BTreeMap<String, String>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.field_errors.get(field)
    }
}

fn anchor(field: &str) -> String {
    match field {
        "causes" => format!("cause-{}", Cause::ALL[0].as_str()),
        other => other.to_string(),
    }
}

fn form_page(
    user: &CurrentUser,
    action: String,
    posted: &Posted,
    message: String,
    field_errors: BTreeMap<String, String>,
) -> FormPage {
    let mut errors: Vec<(String, String)> = field_errors
        .iter()
        .map(|(k, v)| (anchor(k), v.clone()))
        .collect();
    // In page order: agency, causes, text.
    errors.sort_by_key(|(a, _)| match a.as_str() {
        "agency_id" => 0,
        "text" => 2,
        _ => 1,
    });
    FormPage {
        layout: Layout::new("Gửi phản ánh, kiến nghị", Some(user.clone())),
        csrf: user.csrf_token.clone(),
        action,
        target: None,
        procedure: None,
        agencies: Vec::new(),
        agency_id: posted.agency_id.clone(),
        procedures: Vec::new(),
        causes: Cause::ALL
            .into_iter()
            .map(|c| CauseVm {
                id: format!("cause-{}", c.as_str()),
                code: c.as_str(),
                label: c.label(),
                checked: posted.causes.iter().any(|x| x == c.as_str()),
            })
            .collect(),
        text: posted.text.clone(),
        max_chars: format!("{}.{:03}", MAX_TEXT_CHARS / 1000, MAX_TEXT_CHARS % 1000),
        message,
        errors,
        field_errors,
    }
}

/// The citizen who filed the dossier, once its handling has ended.
pub async fn dossier_form(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let target = s.app.feedback_target(&user, &id).await?;
    let page = FormPage {
        target: Some(target),
        ..form_page(
            &user,
            format!("/dossiers/{id}/feedback"),
            &Posted::default(),
            String::new(),
            BTreeMap::new(),
        )
    };
    render(&page)
}

/// The citizen who filed the dossier, once its handling has ended.
pub async fn dossier_send(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let posted = Posted::from_pairs(pairs);
    check_csrf(&user, posted.csrf.as_deref())?;
    match s
        .app
        .give_dossier_feedback(&user, &id, &posted.input())
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/feedback?done=sent").into_response()),
        Err(AppError::Invalid { message, fields }) if !fields.is_empty() => {
            let target = s.app.feedback_target(&user, &id).await?;
            let page = FormPage {
                target: Some(target),
                ..form_page(
                    &user,
                    format!("/dossiers/{id}/feedback"),
                    &posted,
                    message,
                    fields,
                )
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ProcedureQuery {
    #[serde(default)]
    procedure: String,
}

/// The form on a procedure: first choose the procedure, then the agency, causes and text.
fn procedure_page(
    s: &AppState,
    user: &CurrentUser,
    posted: &Posted,
    message: String,
    fields: BTreeMap<String, String>,
) -> FormPage {
    let catalog = s.app.catalog();
    let mut page = form_page(user, "/feedback/new".into(), posted, message, fields);
    match catalog.procedure(posted.procedure.trim()) {
        Some(p) => {
            page.agencies = catalog
                .agencies_for(p)
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect();
            page.procedure = Some((p.code.clone(), p.name.clone()));
        }
        None => {
            page.procedures = catalog
                .procedures
                .iter()
                .map(|p| (p.code.clone(), p.name.clone()))
                .collect();
        }
    }
    page
}

/// Citizens: feedback on a procedure (`?procedure=CODE` once chosen).
pub async fn procedure_form(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<ProcedureQuery>,
) -> Result<Response, PageError> {
    if user.role != motcua_app::domain::Role::Citizen {
        return Err(AppError::Forbidden(
            "Chỉ người dân, doanh nghiệp mới gửi và xem phản ánh, kiến nghị của mình.".into(),
        )
        .into());
    }
    let posted = Posted {
        procedure: q.procedure,
        ..Posted::default()
    };
    render(&procedure_page(
        &s,
        &user,
        &posted,
        String::new(),
        BTreeMap::new(),
    ))
}

/// Citizens: feedback on a procedure, to one of its agencies.
pub async fn procedure_send(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let posted = Posted::from_pairs(pairs);
    check_csrf(&user, posted.csrf.as_deref())?;
    match s
        .app
        .give_procedure_feedback(
            &user,
            posted.procedure.trim(),
            &posted.agency_id,
            &posted.input(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/feedback?done=sent").into_response()),
        Err(AppError::Invalid { message, fields }) if !fields.is_empty() => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &procedure_page(&s, &user, &posted, message, fields),
        ),
        Err(e) => Err(e.into()),
    }
}

/// "Hồ sơ CODE – procedure" or "Thủ tục procedure": what an item is about.
pub fn subject(v: &FeedbackView) -> String {
    let procedure = v.procedure_name.clone().unwrap_or_default();
    match &v.dossier_code {
        Some(code) => format!("Hồ sơ {code} – {procedure}"),
        None => format!("Thủ tục {procedure}"),
    }
}

pub fn cause_labels(v: &FeedbackView) -> String {
    if v.causes.is_empty() {
        return "Không chọn".into();
    }
    v.causes
        .iter()
        .map(|c| c.label)
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: String,
}

impl DoneQuery {
    fn paging(&self) -> crate::api::dossiers::PageQuery {
        crate::api::dossiers::PageQuery {
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "feedback_mine.html")]
struct MinePage {
    layout: Layout,
    csrf: String,
    flash: Option<&'static str>,
    items: Vec<FeedbackView>,
    /// The page after this one, when there is more.
    next_href: Option<String>,
}

/// Citizens: their own feedback and the answers.
pub async fn mine(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let paging = q.paging();
    let page = s.app.my_feedback(&user, &paging.request()).await?;
    let next_href = page.next.map(|n| paging.next_href("/me/feedback", &n));
    let items = page.items;
    render(&MinePage {
        next_href,
        csrf: user.csrf_token.clone(),
        layout: Layout::new("Phản ánh của tôi", Some(user)),
        flash: q.done.as_deref().map(|done| match done {
            "rated" => "Cảm ơn bạn đã đánh giá câu trả lời.",
            _ => "Đã gửi phản ánh, kiến nghị. Cơ quan sẽ trả lời trong mục này.",
        }),
        items,
    })
}

#[derive(serde::Deserialize)]
pub struct RatingForm {
    csrf: Option<String>,
    /// `yes` or `no`.
    satisfied: Option<String>,
}

/// The author, on an answered feedback of theirs: satisfied with the answer or not; once.
pub async fn rate_answer(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<RatingForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    let satisfied = match f.satisfied.as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return Err(PageError(AppError::invalid(
                "Vui lòng chọn hài lòng hoặc chưa hài lòng.",
            )));
        }
    };
    s.app.rate_feedback_answer(&user, &id, satisfied).await?;
    Ok(Redirect::to(&format!("/me/feedback?done=rated#fb-{id}")).into_response())
}

pub struct AgencyItem {
    pub v: FeedbackView,
    pub typed: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "feedback_agency.html")]
struct AgencyPage {
    layout: Layout,
    csrf: String,
    flash: Option<&'static str>,
    items: Vec<AgencyItem>,
    next_href: Option<String>,
}

async fn agency_page(
    s: &AppState,
    user: CurrentUser,
    flash: Option<&'static str>,
    failed: Option<(&str, String, String)>,
    paging: &crate::api::dossiers::PageQuery,
) -> Result<AgencyPage, PageError> {
    let page = s.app.agency_feedback(&user, &paging.request()).await?;
    let next_href = page.next.map(|n| paging.next_href("/feedback", &n));
    let items = page
        .items
        .into_iter()
        .map(|v| match &failed {
            Some((id, typed, error)) if *id == v.id => AgencyItem {
                typed: typed.clone(),
                error: Some(error.clone()),
                v,
            },
            _ => AgencyItem {
                v,
                typed: String::new(),
                error: None,
            },
        })
        .collect();
    Ok(AgencyPage {
        layout: Layout::new("Phản ánh, kiến nghị", Some(user.clone())),
        csrf: user.csrf_token,
        flash,
        items,
        next_href,
    })
}

/// Intake officers and leaders: their agency's feedback, unanswered first.
pub async fn agency(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let flash = q.done.as_deref().map(|_| "Đã gửi câu trả lời.");
    render(&agency_page(&s, user, flash, None, &q.paging()).await?)
}

/// Intake officers and leaders of the agency the feedback was sent to.
pub async fn answer(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let posted = Posted::from_pairs(pairs);
    check_csrf(&user, posted.csrf.as_deref())?;
    match s.app.answer_feedback(&user, &id, &posted.answer).await {
        Ok(()) => Ok(Redirect::to(&format!("/feedback?done=answered#fb-{id}")).into_response()),
        Err(AppError::Invalid { message, fields }) => {
            let error = fields.get("answer").cloned().unwrap_or(message);
            let failed = Some((id.as_str(), posted.answer.clone(), error));
            let first = crate::api::dossiers::PageQuery::default();
            let page = agency_page(&s, user, None, failed, &first).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}
