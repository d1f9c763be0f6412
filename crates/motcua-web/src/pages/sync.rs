//! The administrator's view of the national portal sync: rate, backlog, oldest unsynced event.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_app::SyncStatus;

use super::{Layout, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;

#[derive(Template)]
#[template(path = "admin_sync.html")]
struct SyncPage {
    layout: Layout,
    s: SyncStatus,
}

/// Administrators and supervisors.
pub async fn show(
    State(s): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    let status = s.app.sync_status(&user).await?;
    render(&SyncPage {
        layout: Layout::new("Đồng bộ Cổng Dịch vụ công quốc gia", Some(user)),
        s: status,
    })
}
