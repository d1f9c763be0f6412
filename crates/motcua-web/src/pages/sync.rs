//! The administrator's view of what leaves the system: the national portal sync (rate,
//! backlog, oldest unsynced event) and the messages given up after their last try, each with a
//! button to send it again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::Role;
use motcua_app::{DeadLetterView, SyncStatus};
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

#[derive(Template)]
#[template(path = "admin_sync.html")]
struct SyncPage {
    layout: Layout,
    s: SyncStatus,
    /// Administrators only (supervisors see the figures).
    dead: Option<Vec<DeadLetterView>>,
    /// The next page of dead letters, when there is more.
    next_href: Option<String>,
    csrf: String,
    flash: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Shown {
    #[serde(default)]
    retried: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: String,
}

/// Administrators and supervisors.
pub async fn show(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<Shown>,
) -> Result<Response, PageError> {
    let status = s.app.sync_status(&user).await?;
    let paging = crate::api::dossiers::PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let (dead, next_href) = match user.role {
        Role::Admin => {
            let page = s.app.dead_letters(&user, &paging.request()).await?;
            let next = page.next.map(|n| paging.next_href("/admin/sync", &n));
            (Some(page.items), next)
        }
        _ => (None, None),
    };
    render(&SyncPage {
        next_href,
        csrf: user.csrf_token.clone(),
        layout: Layout::new("Đồng bộ Cổng Dịch vụ công quốc gia", Some(user)),
        s: status,
        dead,
        flash: q
            .retried
            .is_some()
            .then_some("Đã đưa tin vào hàng đợi để gửi lại."),
    })
}

#[derive(Deserialize)]
pub struct RetryForm {
    csrf: Option<String>,
}

/// Administrators: one more try of a given-up message.
pub async fn retry(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<RetryForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    s.app.retry_dead_letter(&user, &id).await?;
    Ok(Redirect::to("/admin/sync?retried=1").into_response())
}
