//! Sign in and sign out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use motcua_app::AppError;
use serde::Deserialize;

use super::{CsrfForm, Layout, render, render_status};
use crate::AppState;
use crate::auth::{MaybeUser, PageUser, SESSION_COOKIE, check_csrf, safe_next};
use crate::error::PageError;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Anyone.
pub async fn login_page(
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(&q.next).to_string();
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    render(&LoginPage {
        layout: Layout::anonymous("Đăng nhập"),
        next,
        login: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Anyone: checks the password and sets the session cookie.
pub async fn login(
    State(s): State<AppState>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(&f.next).to_string();
    match s.app.login(&f.login, &f.password).await {
        Ok(session) => {
            let cookie = Cookie::build((SESSION_COOKIE, session.token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(s.secure_cookies)
                .build();
            Ok((jar.add(cookie), Redirect::to(&next)).into_response())
        }
        Err(AppError::BadCredentials) => render_status(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                layout: Layout::anonymous("Đăng nhập"),
                next,
                login: f.login.chars().take(100).collect(),
                error: Some(AppError::BadCredentials.to_string()),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

/// Signed-in people: ends the session.
pub async fn logout(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        s.app.logout(c.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/")).into_response())
}
