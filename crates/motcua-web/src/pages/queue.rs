//! The work list's companions: one action on several chosen dossiers, and the leader's view of
//! the agency's load.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use motcua_app::domain::dossier::Action;
use motcua_app::{AppError, BulkOutcome, LoadView};

use super::{Layout, render};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

#[derive(Template)]
#[template(path = "bulk_done.html")]
struct BulkPage {
    layout: Layout,
    label: &'static str,
    outcomes: Vec<BulkOutcome>,
    done: usize,
}

/// Officials: the chosen dossiers of their work list, one action for all (where allowed).
pub async fn bulk(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    check_csrf(&user, field("csrf"))?;
    let action = field("action")
        .and_then(Action::parse)
        .ok_or_else(|| AppError::invalid("Hãy chọn thao tác."))?;
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.clone())
        .collect();
    let outcomes = s.app.act_on_many(&user, &ids, action).await?;
    render(&BulkPage {
        layout: Layout::new("Kết quả thao tác hàng loạt", Some(user)),
        label: action.label(),
        done: outcomes.iter().filter(|o| o.is_done()).count(),
        outcomes,
    })
}

#[derive(Template)]
#[template(path = "load.html")]
struct LoadPage {
    layout: Layout,
    load: LoadView,
}

/// Leaders and supervisors of an agency.
pub async fn load(
    State(s): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    let load = s.app.agency_load(&user).await?;
    render(&LoadPage {
        layout: Layout::new("Tình hình giải quyết hồ sơ", Some(user)),
        load,
    })
}
