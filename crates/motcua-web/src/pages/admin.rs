//! Administration: the working-day calendar's yearly overrides.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::calendar::{FIRST_YEAR, LAST_YEAR, local_date};
use motcua_app::{AppError, CalendarOverrideRow, CurrentUser};

use serde::Deserialize;

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

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
