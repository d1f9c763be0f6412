//! Following a dossier by its code: the public status address, printed as a QR code on the
//! receipt and on the applicant's dossier page so that a phone opens it without signing in.

use axum::http::HeaderMap;
use axum::http::header;

/// The public status address and its QR code.
pub struct StatusLink {
    pub url: String,
    /// Inline SVG; `None` only if the address were too long for a code.
    pub qr: Option<String>,
}

impl StatusLink {
    pub fn new(headers: &HeaderMap, code: &str) -> Self {
        let url = status_url(headers, code);
        let qr = crate::qr::qr_svg(&url, &format!("Mã QR tra cứu hồ sơ {code}: {url}"));
        StatusLink { url, qr }
    }

    /// The public check of the dossier's signed result (`/verify/{code}`).
    pub fn verify(headers: &HeaderMap, code: &str) -> Self {
        let url = absolute_url(headers, &format!("/verify/{}", encode(code)));
        let qr = crate::qr::qr_svg(&url, &format!("Mã QR kiểm tra kết quả hồ sơ {code}: {url}"));
        StatusLink { url, qr }
    }
}

/// The public status address of a dossier code, absolute when the request's host is known.
pub fn status_url(headers: &HeaderMap, code: &str) -> String {
    absolute_url(headers, &format!("/status?code={}", encode(code)))
}

/// `http(s)://HOST` + `path` from the request's `Host` and `X-Forwarded-Proto`, for addresses
/// that leave the screen (QR codes on paper); just `path` when the host is missing or not a plain
/// name or address with an optional port, so that a forged header cannot put a foreign link on
/// a receipt.
pub fn absolute_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| plain_host(h));
    match host {
        Some(host) => format!("{}://{host}{path}", scheme(headers)),
        None => path.to_string(),
    }
}

/// `name.example`, `10.0.0.1`, `localhost:8080`: letters, digits, dots and dashes, then an
/// optional colon and port number.
fn plain_host(host: &str) -> bool {
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

/// `https` only when a proxy in front says so; anything else is `http`.
fn scheme(headers: &HeaderMap) -> &'static str {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match forwarded.as_deref() {
        Some("https") => "https",
        _ => "http",
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn absolute_from_a_plain_host_and_the_forwarded_scheme() {
        let code = "000.01.01.H19-261123-0001";
        assert_eq!(
            status_url(&headers(&[("host", "127.0.0.1:8080")]), code),
            "http://127.0.0.1:8080/status?code=000.01.01.H19-261123-0001"
        );
        assert_eq!(
            status_url(
                &headers(&[
                    ("host", "dichvucong.thainguyen.gov.vn"),
                    ("x-forwarded-proto", "https")
                ]),
                code
            ),
            "https://dichvucong.thainguyen.gov.vn/status?code=000.01.01.H19-261123-0001"
        );
        assert!(
            status_url(
                &headers(&[("host", "a.vn"), ("x-forwarded-proto", "javascript")]),
                code
            )
            .starts_with("http://a.vn/")
        );
    }

    #[test]
    fn relative_when_the_host_is_missing_or_odd() {
        for bad in [
            "evil.example/x",
            "a.vn\"><script>",
            "user@host",
            "[::1]:80",
            "host:80:80",
            "host:port",
            "",
        ] {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(bad) {
                h.insert("host", v);
            }
            assert_eq!(status_url(&h, "X-1"), "/status?code=X-1", "{bad}");
        }
        assert_eq!(
            status_url(&HeaderMap::new(), "a b&c"),
            "/status?code=a%20b%26c"
        );
    }

    #[test]
    fn the_link_carries_a_labelled_qr_code() {
        let link = StatusLink::new(&headers(&[("host", "localhost:3000")]), "X-260101-0001");
        let qr = link.qr.unwrap_or_default();
        assert!(qr.starts_with("<svg role=\"img\""));
        assert!(qr.contains("http://localhost:3000/status?code=X-260101-0001"));
    }
}
