//! Who is calling. Pages use a session cookie (HttpOnly, SameSite=Lax) and a per-session CSRF
//! token in every form; the API uses the same sessions through `Authorization: Bearer`.
//! Each handler states its rule by the extractor it takes: `PageUser`/`ApiUser` require a
//! signed-in person, `MaybeUser` does not.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use motcua_app::{AppError, CurrentUser};

use crate::AppState;
use crate::error::{ApiError, PageError};

pub const SESSION_COOKIE: &str = "motcua_session";

async fn from_token(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<CurrentUser>, AppError> {
    match token {
        Some(t) => state.app.authenticate(t).await,
        None => Ok(None),
    }
}

fn cookie_token(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

fn bearer_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// The signed-in person, if any (public pages).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            from_token(state, cookie_token(parts).as_deref()).await?,
        ))
    }
}

/// A signed-in person; anyone else is sent to the sign-in page and brought back afterwards.
pub struct PageUser(pub CurrentUser);

pub enum PageRejection {
    SignIn(String),
    Error(PageError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::SignIn(next) => {
                let next: String = url_encode(&next);
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            PageRejection::Error(e) => e.into_response(),
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match from_token(state, cookie_token(parts).as_deref()).await {
            Ok(Some(user)) => Ok(PageUser(user)),
            Ok(None) => Err(PageRejection::SignIn(parts.uri.path().to_string())),
            Err(e) => Err(PageRejection::Error(PageError(e))),
        }
    }
}

/// A signed-in API caller (bearer token); anyone else gets 401 JSON.
pub struct ApiUser(pub CurrentUser, pub String);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts);
        match from_token(state, token.as_deref()).await? {
            Some(user) => Ok(ApiUser(user, token.unwrap_or_default())),
            None => Err(ApiError(AppError::Unauthenticated)),
        }
    }
}

/// Refuses a form whose anti-forgery token does not match the session's.
pub fn check_csrf(user: &CurrentUser, sent: Option<&str>) -> Result<(), PageError> {
    let expected = user.csrf_token.as_bytes();
    let ok = sent.is_some_and(|s| {
        let s = s.as_bytes();
        s.len() == expected.len()
            && s.iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.".into(),
        )))
    }
}

/// Only a local path may be a redirect target after sign-in (no open redirects).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}
