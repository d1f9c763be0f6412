//! Conditional GETs: every 200 answer to a GET carries a strong `ETag` (the SHA-256 of its
//! body, before compression), and a request whose `If-None-Match` names it gets 304 with no
//! body — a citizen on a cheap phone who reloads the status page or the catalog downloads
//! nothing that did not change. Answers to signed-in callers are `private`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Bodies larger than this (PDFs, exports) are passed on without an ETag.
const MAX_HASHED: usize = 4 * 1024 * 1024;

pub async fn conditional_get(req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let asked = req.headers().get(header::IF_NONE_MATCH).cloned();
    let signed_in = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key(header::COOKIE);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body, tag) = match response.headers().get(header::ETAG).cloned() {
        // The handler knows its tag (an answer kept in memory): no need to hash the body.
        Some(known) => {
            let (parts, body) = response.into_parts();
            let Ok(tag) = known.to_str().map(str::to_string) else {
                return Response::from_parts(parts, body);
            };
            (parts, body, tag)
        }
        None => {
            let too_big = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
                .is_some_and(|n| n > MAX_HASHED);
            if too_big {
                return response;
            }
            let (mut parts, body) = response.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_HASHED).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let tag = tag_of(&bytes);
            let Ok(etag) = HeaderValue::from_str(&tag) else {
                return Response::from_parts(parts, Body::from(bytes));
            };
            parts.headers.insert(header::ETAG, etag);
            (parts, Body::from(bytes), tag)
        }
    };
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        let policy = if signed_in {
            "private, no-cache"
        } else {
            "no-cache"
        };
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    let matches = asked
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, body)
}

/// The strong tag of a body: the first half of its SHA-256, quoted.
pub fn tag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32])
}
