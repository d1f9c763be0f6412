//! A retried POST never writes twice. The API takes an `Idempotency-Key` header; every page
//! form that creates something carries a one-time token (`?once=…` on its action), so a double
//! click or a browser's resubmission is the same request. Same caller, same key, same request:
//! the first answer again, with `Idempotent-Replayed: true`, and nothing new written. Same key,
//! another request: 422. The same request still running: 409 with `Retry-After`.
//!
//! Requests with the same key wait for each other on this node; across nodes the key is
//! claimed in the transaction of the request's effect (`motcua_store::Claim`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_app::{AppError, KeptAnswer, KeyedRequest};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, PageError};

/// The API's header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The query parameter of a page form's one-time token.
pub const ONCE_PARAM: &str = "once";
/// Set on an answer given again.
pub const REPLAYED: &str = "idempotent-replayed";
const MAX_KEY_CHARS: usize = 200;
/// The headers of an answer worth giving again.
const KEPT_HEADERS: [HeaderName; 3] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::CONTENT_DISPOSITION,
];

/// A fresh one-time token for a form.
pub fn one_time_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A form's action with a fresh one-time token: each rendering of the form is one request,
/// however many times it is sent.
pub fn once(action: &str) -> String {
    let join = if action.contains('?') { '&' } else { '?' };
    format!("{action}{join}{ONCE_PARAM}={}", one_time_token())
}

/// Handles POSTs that carry a key; passes everything else through untouched.
pub async fn idempotent(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(req).await,
        Err(e) => return refuse(api, e),
    };
    let owner = match owner_of(&s, req.headers()).await {
        Ok(Some(owner)) => owner,
        // Not signed in: the handler itself says so.
        Ok(None) => return next.run(req).await,
        Err(e) => return refuse(api, e),
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::UPLOAD_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let hash = request_hash(&parts.method, &parts.uri, &parts.headers, &bytes);
    let req = Request::from_parts(parts, Body::from(bytes));
    // On a task of its own: a client that gives up (a timeout, a closed tab) does not cut the
    // request short between its effect and its kept answer; the retry gets that answer.
    let work = tokio::spawn(motcua_app::watched(async move {
        let lock = node_lock(&owner, &key);
        let turn = lock.lock().await;
        let outcome = handle(&s, &owner, &key, &hash, req, next).await;
        drop(turn);
        release(&owner, &key, lock);
        outcome
    }));
    match work.await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => refuse(api, e),
        Err(e) => refuse(api, AppError::Internal(format!("keyed request: {e}"))),
    }
}

async fn handle(
    s: &AppState,
    owner: &str,
    key: &str,
    hash: &str,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let claim = match s.app.keyed_request(owner, key, hash).await? {
        KeyedRequest::Answered(answer) => return Ok(replay(answer)),
        KeyedRequest::Run(claim) => claim,
    };
    let response = motcua_app::with_claim(claim.clone(), next.run(req)).await;
    if claim.is_lost() {
        // Another node runs the same request; this attempt wrote nothing.
        return Err(AppError::RequestInProgress);
    }
    let status = response.status();
    if status.is_server_error() {
        if claim.is_claimed() {
            s.app.request_ended_without_answer(&claim).await?;
        }
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| AppError::Internal(format!("answer body: {e}")))?;
    let answer = KeptAnswer {
        status: status.as_u16(),
        headers: kept_headers(&parts.headers),
        body: body.to_vec(),
    };
    s.app.keep_answer(&claim, &answer).await?;
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn key_of(req: &Request) -> Result<Option<String>, AppError> {
    let from_header = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_string).unwrap_or_default());
    let from_query = || {
        req.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == ONCE_PARAM)
                .map(|(_, v)| v.into_owned())
        })
    };
    let Some(key) = from_header.or_else(from_query) else {
        return Ok(None);
    };
    let key = key.trim();
    if key.is_empty()
        || key.chars().count() > MAX_KEY_CHARS
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(AppError::BadQuery {
            message: format!(
                "Khóa chống gửi trùng (Idempotency-Key) phải gồm 1–{MAX_KEY_CHARS} ký tự ASCII in được, không có khoảng trắng."
            ),
            fields: Default::default(),
        });
    }
    Ok(Some(key.to_string()))
}

/// The signed-in caller (bearer token, else the session cookie), by user id.
async fn owner_of(s: &AppState, headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let token = bearer.or_else(|| {
        axum_extra::extract::CookieJar::from_headers(headers)
            .get(crate::auth::SESSION_COOKIE)
            .map(|c| c.value().to_string())
    });
    let Some(token) = token else {
        return Ok(None);
    };
    Ok(s.app.authenticate(&token).await?.map(|u| u.id))
}

/// What makes two requests the same: method, path, the query without the token, and the
/// body — JSON read and written again (key order and spacing do not count), a multipart body
/// without its random boundary.
fn request_hash(
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> String {
    let mut query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != ONCE_PARAM)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    query.sort();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body: Vec<u8> = if content_type.starts_with("application/json") {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| serde_json::to_vec(&v).ok())
            .unwrap_or_else(|| body.to_vec())
    } else if let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
    {
        without(body, boundary.as_bytes())
    } else {
        body.to_vec()
    };
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b"\n");
    h.update(uri.path().as_bytes());
    for (k, v) in &query {
        h.update(format!("\n{k}={v}").as_bytes());
    }
    h.update(b"\n\n");
    h.update(&body);
    hex::encode(h.finalize())
}

/// `body` with every occurrence of `cut` taken out.
fn without(body: &[u8], cut: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(cut) {
            i += cut.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_string(), value.to_string()))
        })
        .collect()
}

fn replay(answer: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn refuse(api: bool, e: AppError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

type Locks = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

fn locks() -> &'static Locks {
    static LOCKS: OnceLock<Locks> = OnceLock::new();
    LOCKS.get_or_init(Default::default)
}

/// The turn of one key on this node (a double click waits for the first click's answer).
fn node_lock(owner: &str, key: &str) -> Arc<tokio::sync::Mutex<()>> {
    let mut map = match locks().lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry(format!("{owner}\u{0}{key}")).or_default().clone()
}

fn release(owner: &str, key: &str, lock: Arc<tokio::sync::Mutex<()>>) {
    let mut map = match locks().lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    // Only the map's own reference left besides ours: nobody waits for this key.
    if Arc::strong_count(&lock) <= 2 {
        map.remove(&format!("{owner}\u{0}{key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(content_type: &str, body: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        let uri: axum::http::Uri = "/api/v1/dossiers?once=abc".parse().unwrap();
        request_hash(
            &Method::POST,
            &uri,
            &headers,
            &Bytes::from(body.to_string()),
        )
    }

    #[test]
    fn the_same_request_hashes_the_same_and_another_does_not() {
        let json = "application/json";
        assert_eq!(
            hash(json, r#"{"a":1,"b":[2]}"#),
            hash(json, r#"{ "b": [2], "a": 1 }"#)
        );
        assert_ne!(hash(json, r#"{"a":1}"#), hash(json, r#"{"a":2}"#));
        let one = "--XyZ1\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--XyZ1--\r\n";
        let two = one.replace("XyZ1", "Q9q9");
        assert_eq!(
            hash("multipart/form-data; boundary=XyZ1", one),
            hash("multipart/form-data; boundary=Q9q9", &two),
            "the boundary is random per send"
        );
        assert_ne!(
            hash("multipart/form-data; boundary=XyZ1", one),
            hash(
                "multipart/form-data; boundary=XyZ1",
                &one.replace("\r\nv\r\n", "\r\nw\r\n")
            )
        );
    }
}
