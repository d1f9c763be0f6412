//! Administration: the working-day calendar's yearly overrides and the procedures' processes.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::calendar::{FIRST_YEAR, LAST_YEAR, local_date};
use motcua_app::{AppError, CalendarOverrideRow, CurrentUser, ProcessVersionView};

use serde::Deserialize;

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;
use crate::multipart;

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i16,
    days_off: Vec<(String, String)>,
    overrides: Vec<CalendarOverrideRow>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i16>,
    saved: Option<String>,
}

async fn page(
    s: &AppState,
    user: CurrentUser,
    year: i16,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let overrides = s.app.calendar_overrides(&user).await?;
    let days_off = s
        .app
        .calendar()
        .days_off_in(year)
        .into_iter()
        .map(|h| (h.date.strftime("%d/%m/%Y").to_string(), h.name))
        .collect();
    render_status(
        status,
        &CalendarPage {
            layout: Layout::new(format!("Lịch làm việc {year}"), Some(user.clone())),
            year,
            days_off,
            overrides,
            csrf: user.csrf_token,
            flash,
            error,
        },
    )
}

/// Administrators.
pub async fn calendar(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let this_year = local_date(jiff::Timestamp::now()).year();
    let year = q.year.unwrap_or(this_year).clamp(FIRST_YEAR, LAST_YEAR);
    let flash = q
        .saved
        .map(|_| "Đã lưu. Các thời hạn mới tính theo lịch đã điều chỉnh.".to_string());
    page(&s, user, year, flash, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct OverrideForm {
    csrf: Option<String>,
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// Administrators.
pub async fn set_day(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<OverrideForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    let year = f.day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    match s
        .app
        .set_calendar_day(&user, &f.day, f.kind == "working_day", &f.name)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/calendar?year={year}&saved=1")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            page(
                &s,
                user,
                year,
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    csrf: Option<String>,
    #[serde(default)]
    day: String,
}

/// Administrators.
pub async fn clear_day(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(f): Form<DeleteForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    s.app.clear_calendar_day(&user, &f.day).await?;
    let year = f.day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    Ok(Redirect::to(&format!("/admin/calendar?year={year}&saved=1")).into_response())
}

#[derive(Template)]
#[template(path = "admin_procedures.html")]
struct ProceduresPage {
    layout: Layout,
    /// Code, name, current process version (0: none).
    rows: Vec<(String, String, i64)>,
}

/// Administrators: every procedure with its process version.
pub async fn procedures(
    State(s): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    let mut rows = Vec::new();
    for p in s.app.catalog().procedures.iter() {
        let (versions, _) = s.app.procedure_processes(&user, &p.code).await?;
        rows.push((
            p.code.clone(),
            p.name.clone(),
            versions.first().map_or(0, |v| v.version),
        ));
    }
    render_status(
        StatusCode::OK,
        &ProceduresPage {
            layout: Layout::new("Quy trình nội bộ", Some(user)),
            rows,
        },
    )
}

#[derive(Template)]
#[template(path = "admin_procedure.html")]
struct ProcedurePage {
    layout: Layout,
    code: String,
    name: String,
    versions: Vec<ProcessVersionView>,
    svg: Option<String>,
    csrf: String,
    flash: Option<String>,
    problems: Vec<String>,
}

async fn procedure_page(
    s: &AppState,
    user: CurrentUser,
    code: &str,
    flash: Option<String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (versions, svg) = s.app.procedure_processes(&user, code).await?;
    let name = s
        .app
        .catalog()
        .procedure(code)
        .map(|p| p.name.clone())
        .ok_or(AppError::NotFound)?;
    render_status(
        status,
        &ProcedurePage {
            layout: Layout::new(format!("Quy trình: {name}"), Some(user.clone())),
            code: code.to_string(),
            name,
            versions,
            svg,
            csrf: user.csrf_token,
            flash,
            problems,
        },
    )
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<i64>,
}

/// Administrators: a procedure's process drawing and versions.
pub async fn procedure(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let flash = q.saved.map(|v| {
        format!("Đã áp dụng phiên bản {v}. Hồ sơ tiếp nhận từ nay chạy theo phiên bản này.")
    });
    procedure_page(&s, user, &code, flash, Vec::new(), StatusCode::OK).await
}

/// Administrators: a new process version, checked first; problems are listed by line.
pub async fn upload_process(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    let form = multipart::read(body).await?;
    check_csrf(&user, form.field("csrf"))?;
    let outcome = match form.files.first() {
        Some(file) => s.app.upload_process(&user, &code, &file.bytes).await,
        None => Err(AppError::invalid("Vui lòng chọn tệp BPMN.")),
    };
    match outcome {
        Ok(v) => Ok(Redirect::to(&format!("/admin/procedures/{code}?saved={v}")).into_response()),
        Err(AppError::Invalid { message, fields }) => {
            let problems = match fields.get("bpmn") {
                Some(lines) => lines.lines().map(str::to_string).collect(),
                None => vec![message],
            };
            procedure_page(
                &s,
                user,
                &code,
                None,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
