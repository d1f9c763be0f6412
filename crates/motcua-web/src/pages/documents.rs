//! "Kho giấy tờ của tôi": the citizen's results and checked documents, to download or to reuse
//! in a new dossier.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::DocumentView;
use serde::Deserialize;

use super::{CsrfForm, Layout, render};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    layout: Layout,
    csrf: String,
    documents: Vec<DocumentView>,
    removed: bool,
    /// The page after this one, when there is more.
    next_href: Option<String>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    removed: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: String,
}

/// Citizens: their own store.
pub async fn show(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let paging = crate::api::dossiers::PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let page = s.app.my_documents(&user, &paging.request()).await?;
    let documents = page.items;
    render(&DocumentsPage {
        next_href: page.next.map(|n| paging.next_href("/me/documents", &n)),
        layout: Layout::new("Kho giấy tờ của tôi", Some(user.clone())),
        csrf: user.csrf_token,
        documents,
        removed: q.removed.is_some(),
    })
}

/// Citizens: removes one of their documents from the store.
pub async fn forget(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    s.app.forget_document(&user, &id).await?;
    Ok(Redirect::to("/me/documents?removed=1").into_response())
}
