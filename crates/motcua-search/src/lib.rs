//! Catalog search: an in-memory tantivy index of the current procedures, rebuilt whenever the
//! catalog is reloaded (a province has a few thousand procedures at most, so a rebuild takes
//! milliseconds and there is nothing to keep on disk or in sync).
//!
//! Text is folded (case, diacritics, đ → d) on both sides, so people find a procedure however
//! they type it. The query is built from folded words, never parsed as tantivy syntax, so any
//! input is safe. Ranking is BM25 with the name weighted most, plus a bonus for the words in
//! the order typed. Matching goes from strict to loose and stops at the first level that finds
//! something: every word in the name, field or agency; every word anywhere (components, result
//! included); two words in three (for three words or more). So a complete match always comes
//! before a partial one, and a word that only occurs in a component ("ngày sinh") does not bury
//! the procedure named by the words.

mod index;
mod query;
mod tokenizer;

#[cfg(test)]
mod tests;

pub use index::SearchIndex;
pub use motcua_domain::OnlineService;
pub use tokenizer::words;

/// The longest query text used, in characters; the rest is ignored (a title fits easily).
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many distinct words of a query are searched for.
pub const MAX_QUERY_WORDS: usize = 12;
/// The longest filter value used, in characters.
pub const MAX_FILTER_CHARS: usize = 200;

/// Who decides a procedure: a provincial or a commune-level agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Province,
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Commune => "commune",
        }
    }

    /// `province` or `commune`; anything else is not a level.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "province" => Some(Level::Province),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }
}

/// `full` or `partial`, as the API and the index spell the online-service levels.
pub fn online_key(o: OnlineService) -> &'static str {
    match o {
        OnlineService::Full => "full",
        OnlineService::Partial => "partial",
    }
}

/// `full` or `partial`; anything else is not an online-service level.
pub fn parse_online(s: &str) -> Option<OnlineService> {
    match s {
        "full" => Some(OnlineService::Full),
        "partial" => Some(OnlineService::Partial),
        _ => None,
    }
}

/// What the index knows of one procedure.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureDoc {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: Level,
    pub agency_key: String,
    pub agency_name: String,
    pub online_service: OnlineService,
    /// Everything else worth finding by: components, result, who may file.
    pub body: String,
}

/// A search: words and exact filters. Empty text lists every procedure the filters let through,
/// in catalog order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    pub level: Option<Level>,
    pub agency: Option<String>,
    /// A field name; compared folded, so "ho tich" selects "Hộ tịch".
    pub field: Option<String>,
    pub online: Option<OnlineService>,
    /// At most this many hits; all when `None`.
    pub limit: Option<usize>,
}

/// One found procedure; best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: String,
    /// Relevance (BM25 with boosts); 0 for a search without words.
    pub score: f32,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}
