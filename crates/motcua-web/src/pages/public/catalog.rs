//! The catalog pages: search with filters, and one procedure in plain words with a QR code for
//! posters at support points.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::response::{IntoResponse, Response};
use motcua_app::domain::{FieldType, FormField};
use motcua_app::{AppError, Catalog, ProcedureFilter, ProcedureView};
use serde::Deserialize;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::PageError;
use crate::pages::{Layout, render};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    online: String,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: String,
}

/// One option of a filter list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One filter list of the search form.
struct Filter {
    name: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

impl Filter {
    fn new<'a>(
        name: &'static str,
        label: &'static str,
        current: &str,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Filter {
        let choices = options
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current.trim(),
                value: value.to_string(),
                label: label.to_string(),
            })
            .collect();
        Filter {
            name,
            label,
            choices,
        }
    }
}

fn filters(catalog: &Catalog, f: &ProcedureFilter) -> Vec<Filter> {
    let agencies = catalog.agency_choices();
    vec![
        Filter::new(
            "level",
            "Cấp thực hiện",
            &f.level,
            [("province", "Cấp tỉnh"), ("commune", "Cấp xã")],
        ),
        Filter::new(
            "agency",
            "Cơ quan giải quyết",
            &f.agency,
            agencies.iter().map(|(k, l)| (k.as_str(), l.as_str())),
        ),
        Filter::new(
            "field",
            "Lĩnh vực",
            &f.field,
            catalog.fields().iter().map(|f| (f.as_str(), f.as_str())),
        ),
        Filter::new(
            "online",
            "Dịch vụ công trực tuyến",
            &f.online,
            [("full", "Toàn trình"), ("partial", "Một phần")],
        ),
    ]
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct Procedures {
    layout: Layout,
    query: String,
    /// Words or a filter were given.
    searched: bool,
    narrowed: bool,
    filters: Vec<Filter>,
    /// This page of the results.
    procedures: Vec<ProcedureView>,
    /// How many procedures match in all.
    total: usize,
    /// The page after this one, when there is more.
    next_href: Option<String>,
}

/// Anyone: the catalog, searched by words and filters (a plain GET form, no JavaScript), a
/// page at a time. The page a visitor who is not signed in sees is drawn once per catalog and
/// search (see `Catalog::answer`).
pub async fn procedures(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    RawQuery(raw): RawQuery,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let catalog = s.app.catalog();
    let draw = |user: Option<motcua_app::CurrentUser>| -> motcua_app::Result<String> {
        let paging = crate::api::dossiers::PageQuery {
            limit: q.limit,
            cursor: q.cursor.clone(),
        };
        let filter = ProcedureFilter {
            q: q.q.clone(),
            level: q.level.clone(),
            agency: q.agency.clone(),
            field: q.field.clone(),
            online: q.online.clone(),
        };
        let (page, total) = catalog.search_page(&filter, &paging.request())?;
        let next_href = page.next.map(|n| {
            let api = crate::api::catalog::next_search(&filter, paging.limit, &n);
            api.replacen("/api/v1/procedures", "/procedures", 1)
        });
        let query = filter.words();
        Procedures {
            layout: Layout::new("Thủ tục hành chính", user),
            searched: !query.is_empty() || filter.narrows(),
            narrowed: filter.narrows(),
            filters: filters(&catalog, &filter),
            query,
            procedures: page.items,
            total,
            next_href,
        }
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))
    };
    let html_type = [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")];
    Ok(match user {
        // Signed in: the page names them; drawn for them alone.
        Some(u) => (html_type, draw(Some(u))?).into_response(),
        None => {
            let key = format!("page?{}", raw.as_deref().unwrap_or(""));
            let answer = catalog.answer(&key, || {
                let html = draw(None)?;
                Ok(motcua_app::CatalogAnswer {
                    fingerprint: crate::etag::tag_of(html.as_bytes()),
                    body: html.into(),
                    next: None,
                })
            })?;
            let mut response = (html_type, answer.body.clone()).into_response();
            if let Ok(tag) = axum::http::HeaderValue::from_str(&answer.fingerprint) {
                response.headers_mut().insert(axum::http::header::ETAG, tag);
            }
            response
        }
    })
}

/// One line of the form to fill, in plain words.
struct FieldLine {
    label: String,
    required: bool,
    /// What to write ("ngày, tháng, năm", "chọn một: Nam, Nữ"); may be empty.
    kind: String,
}

impl FieldLine {
    fn of(f: &FormField) -> FieldLine {
        let kind = match f.field_type {
            FieldType::Date => "ngày, tháng, năm".to_string(),
            FieldType::Choice => format!("chọn một: {}", f.options.join(", ")),
            FieldType::PersonalId => "số định danh cá nhân, 12 chữ số".to_string(),
            FieldType::TaxCode => "mã số thuế".to_string(),
            FieldType::Phone => "số điện thoại di động".to_string(),
            FieldType::Integer | FieldType::Number => "một số".to_string(),
            FieldType::Text => String::new(),
        };
        FieldLine {
            label: f.label.clone(),
            required: f.required,
            kind,
        }
    }
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    layout: Layout,
    p: ProcedureView,
    fee: String,
    online_fee: String,
    /// The agency that decides and issues the result.
    decided_by: String,
    agencies: String,
    form: Vec<FieldLine>,
    /// The address the QR code opens; absolute when the request's host is known.
    url: String,
    /// Inline SVG, or `None` if the address is too long for a code.
    qr: Option<String>,
}

/// Anyone: a procedure in plain words.
pub async fn procedure(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let catalog = s.app.catalog();
    let p = catalog.procedure(&code).ok_or(AppError::NotFound)?;
    let names: Vec<&str> = catalog
        .agencies_for(p)
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let url = page_url(&headers, &p.code);
    let qr = crate::qr::qr_svg(&url, &format!("Mã QR mở trang thủ tục {}", p.name));
    render(&ProcedurePage {
        layout: Layout::new(p.name.clone(), user),
        fee: crate::fmt::vnd(p.fee_vnd),
        online_fee: crate::fmt::vnd(p.online_fee_vnd),
        decided_by: catalog.agency_name(&p.agency_key).to_string(),
        agencies: names.join("; "),
        form: p.definition.form_fields.iter().map(FieldLine::of).collect(),
        url,
        qr,
        p: p.clone(),
    })
}

/// The page's own address for the QR code, from the `Host` the browser used (and
/// `X-Forwarded-Proto` behind a TLS proxy). A host that is not a plain name or address with an
/// optional port is ignored, so a forged header cannot put a foreign link on a poster.
fn page_url(headers: &HeaderMap, code: &str) -> String {
    let path = format!("/procedures/{code}");
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !plain_host(host) {
        return path;
    }
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .map(|p| p.trim().to_ascii_lowercase())
    {
        Some(p) if p == "https" => "https",
        _ => "http",
    };
    format!("{scheme}://{host}{path}")
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
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    name_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, proto: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).unwrap());
        if let Some(p) = proto {
            h.insert("x-forwarded-proto", HeaderValue::from_str(p).unwrap());
        }
        h
    }

    #[test]
    fn the_qr_address_comes_from_a_plain_host_only() {
        assert_eq!(
            page_url(&headers("dichvucong.example.vn", Some("https")), "HT-01"),
            "https://dichvucong.example.vn/procedures/HT-01"
        );
        assert_eq!(
            page_url(&headers("127.0.0.1:8080", None), "HT-01"),
            "http://127.0.0.1:8080/procedures/HT-01"
        );
        assert_eq!(
            page_url(&headers("localhost:8080", Some("gopher")), "HT-01"),
            "http://localhost:8080/procedures/HT-01"
        );
        for forged in [
            "evil.example/phish?",
            "a@b",
            "host:80:80",
            "host:port",
            "",
            "[::1]:8080",
            "x y",
        ] {
            assert_eq!(
                page_url(&headers(forged, None), "HT-01"),
                "/procedures/HT-01",
                "{forged}"
            );
        }
        assert_eq!(page_url(&HeaderMap::new(), "HT-01"), "/procedures/HT-01");
    }
}
