//! Server-rendered pages. Every page works without JavaScript.

pub mod admin;
pub mod desk;
pub mod documents;
pub mod dossier;
pub mod feedback;
pub mod filing;
pub mod follow;
pub mod indices;
pub mod mydata;
pub mod payment;
pub mod public;
pub mod queue;
pub mod result_doc;
pub mod session;
mod slip_rows;
pub mod slips;
pub mod sync;
pub mod verify;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use motcua_app::{AppError, CurrentUser};

use crate::error::PageError;

/// A form that carries nothing but its anti-forgery token.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// What the base template needs on every page.
pub struct Layout {
    pub title: String,
    pub province: &'static str,
    pub user: Option<CurrentUser>,
}

impl Layout {
    pub fn new(title: impl Into<String>, user: Option<CurrentUser>) -> Self {
        Layout {
            title: title.into(),
            province: "Thái Nguyên",
            user,
        }
    }

    pub fn anonymous(title: impl Into<String>) -> Self {
        Self::new(title, None)
    }
}

/// Renders a page with a status code.
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Result<Response, PageError> {
    let html = page
        .render()
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}"))))?;
    Ok((status, Html(html)).into_response())
}

pub fn render<T: Template>(page: &T) -> Result<Response, PageError> {
    render_status(StatusCode::OK, page)
}
