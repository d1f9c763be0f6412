//! Finding procedures: the words and filters people send, checked, then run on the catalog's
//! search index.

use std::collections::BTreeMap;

use motcua_domain::text;
use motcua_search::{Level, MAX_QUERY_CHARS, ProcedureDoc, SearchQuery, parse_online};

use super::{Catalog, ProcedureView};
use crate::{AppError, Result};

/// A search as a page or an API caller sends it: raw strings, empty meaning "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    /// Words, in any case, with or without diacritics.
    pub q: String,
    /// `province` or `commune`.
    pub level: String,
    /// An agency key of the catalog (see [`Catalog::agency_choices`]).
    pub agency: String,
    /// A field of the catalog (see [`Catalog::fields`]); compared folded.
    pub field: String,
    /// `full` or `partial`.
    pub online: String,
}

impl ProcedureFilter {
    /// The words as used: trimmed and cut to the length the index reads.
    pub fn words(&self) -> String {
        self.q.trim().chars().take(MAX_QUERY_CHARS).collect()
    }

    /// True when a filter beyond the words is set.
    pub fn narrows(&self) -> bool {
        [&self.level, &self.agency, &self.field, &self.online]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// The text the index finds a procedure by besides its name, field and agency.
pub(super) fn doc(p: &ProcedureView, agency_name: &str) -> ProcedureDoc {
    let d = &p.definition;
    let mut body: Vec<&str> = d.components.iter().map(|c| c.name.as_str()).collect();
    body.push(&d.result);
    body.extend(d.applicants.as_deref());
    ProcedureDoc {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        level: Level::parse(&p.level).unwrap_or(Level::Commune),
        agency_key: p.agency_key.clone(),
        agency_name: agency_name.to_string(),
        online_service: p.online_service,
        body: body.join("\n"),
    }
}

impl Catalog {
    /// Procedures matching `f`, best match first (catalog order without words). A filter value
    /// that is not in the catalog is refused, so a typo in a link never looks like "nothing
    /// found".
    pub fn search(&self, f: &ProcedureFilter) -> Result<Vec<&ProcedureView>> {
        let query = self.query(f)?;
        let Some(index) = &self.index else {
            return Ok(Vec::new());
        };
        let hits = index
            .search(&query)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(hits
            .iter()
            .filter_map(|h| self.procedure(&h.code))
            .collect())
    }

    fn query(&self, f: &ProcedureFilter) -> Result<SearchQuery> {
        let mut bad = BTreeMap::new();
        let mut q = SearchQuery {
            text: f.words(),
            ..Default::default()
        };
        let level = f.level.trim();
        if !level.is_empty() {
            q.level = Level::parse(level);
            if q.level.is_none() {
                bad.insert(
                    "level".into(),
                    "Cấp thực hiện là province hoặc commune.".into(),
                );
            }
        }
        let online = f.online.trim();
        if !online.is_empty() {
            q.online = parse_online(online);
            if q.online.is_none() {
                bad.insert(
                    "online".into(),
                    "Mức độ trực tuyến là full hoặc partial.".into(),
                );
            }
        }
        let agency = f.agency.trim();
        if !agency.is_empty() {
            if self.agency_choices.iter().any(|(key, _)| key == agency) {
                q.agency = Some(agency.to_string());
            } else {
                bad.insert(
                    "agency".into(),
                    "Không có cơ quan này trong danh mục.".into(),
                );
            }
        }
        let field = text::fold(f.field.trim());
        if !field.is_empty() {
            if self.fields.iter().any(|known| text::fold(known) == field) {
                q.field = Some(field);
            } else {
                bad.insert(
                    "field".into(),
                    "Không có lĩnh vực này trong danh mục.".into(),
                );
            }
        }
        if bad.is_empty() {
            Ok(q)
        } else {
            Err(AppError::BadQuery {
                message: "Bộ lọc tìm kiếm không hợp lệ.".into(),
                fields: bad,
            })
        }
    }
}

impl Catalog {
    /// A page of [`Catalog::search`], and how many match in all: the cursor names the last procedure of the page before,
    /// and the next page starts after it in the same order (a procedure added meanwhile never
    /// shifts a page; one removed meanwhile makes the cursor unknown: start again).
    pub fn search_page(
        &self,
        f: &ProcedureFilter,
        page: &crate::PageRequest,
    ) -> Result<(crate::Page<ProcedureView>, usize)> {
        let limit = page.size()? as usize;
        let found = self.search(f)?;
        let start = match page.parts(1)? {
            None => 0,
            Some(p) => {
                found
                    .iter()
                    .position(|v| v.code == p[0])
                    .ok_or_else(|| AppError::BadQuery {
                        message: "Danh sách đã thay đổi; hãy tìm lại từ đầu.".into(),
                        fields: [("cursor".to_string(), "Không còn trong kết quả.".to_string())]
                            .into(),
                    })?
                    + 1
            }
        };
        let items: Vec<ProcedureView> = found
            .iter()
            .skip(start)
            .take(limit)
            .map(|v| (*v).clone())
            .collect();
        let next = (start + limit < found.len())
            .then(|| {
                items
                    .last()
                    .map(|v| crate::dossiers::lists::cursor(&[&v.code]))
            })
            .flatten();
        Ok((crate::Page { items, next }, found.len()))
    }
}
