//! What the HTTP clients share: one reqwest client per adapter with its timeout, a checked base
//! URL, and one reading of answers into [`IntegrationError`].

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::IntegrationError;

/// A remote message longer than this is cut: it goes into logs and error pages.
const MESSAGE_MAX_CHARS: usize = 200;

/// The host's veto on outbound calls (see [`veto_outbound_calls_when`]).
static VETO: std::sync::OnceLock<fn() -> bool> = std::sync::OnceLock::new();

/// Lets the host refuse every outbound call while `forbidden()` holds: motcua refuses them
/// while the calling task holds a database transaction open, which a slow remote would hold
/// for as long as it takes to answer. Set once per process; later calls change nothing.
pub fn veto_outbound_calls_when(forbidden: fn() -> bool) {
    let _ = VETO.set(forbidden);
}

/// Before any outbound call.
pub(crate) fn may_call() -> Result<(), IntegrationError> {
    if VETO.get().is_some_and(|forbidden| forbidden()) {
        return Err(IntegrationError::Refused);
    }
    Ok(())
}

pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, IntegrationError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| IntegrationError::Config(e.without_url().to_string()))
}

/// `http(s)://host[:port][/prefix]` without a trailing slash, so paths can be appended.
pub(crate) fn base_url(raw: &str) -> Result<String, IntegrationError> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| IntegrationError::Config(format!("địa chỉ {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(IntegrationError::Config(format!(
            "địa chỉ {raw:?} phải bắt đầu bằng http:// hoặc https://"
        )));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

/// The response when it succeeded; otherwise the error its status means.
pub(crate) async fn check(resp: Response) -> Result<Response, IntegrationError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let body = resp.text().await.unwrap_or_default();
    Err(status_error(status, &body))
}

pub(crate) async fn read_json<T: DeserializeOwned>(resp: Response) -> Result<T, IntegrationError> {
    let resp = check(resp).await?;
    let bytes = resp.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| IntegrationError::BadResponse(e.to_string()))
}

pub(crate) fn status_error(status: StatusCode, body: &str) -> IntegrationError {
    match status {
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            IntegrationError::Unavailable(format!("HTTP {}", status.as_u16()))
        }
        _ => IntegrationError::Rejected {
            status: status.as_u16(),
            message: remote_message(body),
        },
    }
}

/// The `error` or `message` of a JSON answer, else the text, cut short.
fn remote_message(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["error", "message"]
                .iter()
                .find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_string))
        });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(MESSAGE_MAX_CHARS).collect()
}

/// Percent-encodes UTF-8 for a header value (headers are ASCII): all but `A–Z a–z 0–9 - . _ ~`.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`percent_encode`]; `None` when the escapes or the UTF-8 are broken.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("http://127.0.0.1:8090/").unwrap(),
            "http://127.0.0.1:8090"
        );
        assert_eq!(
            base_url("https://gw.example.vn/api").unwrap(),
            "https://gw.example.vn/api"
        );
        assert!(base_url("ftp://x").is_err());
        assert!(base_url("127.0.0.1:8090").is_err());
    }

    #[test]
    fn percent_round_trip() {
        let purpose = "Giải quyết hồ sơ 000.00.13.H56-260101-0001 (cấp lại)";
        let encoded = percent_encode(purpose);
        assert!(encoded.bytes().all(|b| b.is_ascii_graphic()));
        assert_eq!(percent_decode(&encoded).as_deref(), Some(purpose));
        assert_eq!(percent_decode("%E1%BA"), None);
        assert_eq!(percent_decode("%G1"), None);
        assert_eq!(percent_decode("50%"), None);
    }

    #[test]
    fn messages() {
        assert_eq!(remote_message(r#"{"error":"Sai chữ ký"}"#), "Sai chữ ký");
        assert_eq!(remote_message(" plain "), "plain");
        assert_eq!(remote_message(&"x".repeat(500)).len(), MESSAGE_MAX_CHARS);
        assert!(matches!(
            status_error(StatusCode::SERVICE_UNAVAILABLE, ""),
            IntegrationError::Unavailable(_)
        ));
    }
}
