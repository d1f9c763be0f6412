//! The index: its schema, how it is built from the catalog and how a search runs.

use motcua_domain::text::fold;
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, Order, doc};

use crate::{
    Hit, MAX_FILTER_CHARS, MAX_QUERY_CHARS, ProcedureDoc, SearchError, SearchQuery, online_key,
    query, tokenizer,
};

/// One thread and tantivy's smallest budget: a catalog is a few MB of text at most.
const WRITER_MEMORY_BYTES: usize = 15_000_000;

/// The fields of the index.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    /// Position in the catalog, to give results back in catalog order and map them to codes.
    pub ord: Field,
    /// The folded code, matched whole ("ht-01").
    pub code: Field,
    pub name: Field,
    pub field: Field,
    pub agency_name: Field,
    pub body: Field,
    /// Exact filter terms.
    pub level: Field,
    pub agency_key: Field,
    pub field_key: Field,
    pub online: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let mut b = Schema::builder();
        let fields = Fields {
            ord: b.add_u64_field("ord", INDEXED | FAST),
            code: b.add_text_field("code", STRING),
            name: b.add_text_field("name", text.clone()),
            field: b.add_text_field("field", text.clone()),
            agency_name: b.add_text_field("agency_name", text.clone()),
            body: b.add_text_field("body", text),
            level: b.add_text_field("level", STRING),
            agency_key: b.add_text_field("agency_key", STRING),
            field_key: b.add_text_field("field_key", STRING),
            online: b.add_text_field("online", STRING),
        };
        (b.build(), fields)
    }
}

/// The searchable catalog. Cheap to share: searches take `&self` and run concurrently.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// Codes by catalog position (the `ord` field).
    codes: Vec<String>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} procedures)", self.codes.len())
    }
}

impl SearchIndex {
    /// Indexes `docs`; their order is the catalog order that searches without words keep.
    pub fn build(docs: &[ProcedureDoc]) -> Result<SearchIndex, SearchError> {
        let (schema, f) = Fields::schema();
        let index = Index::create_in_ram(schema);
        index
            .tokenizers()
            .register(tokenizer::NAME, tokenizer::FoldingTokenizer::default());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        for (ord, d) in docs.iter().enumerate() {
            writer.add_document(doc!(
                f.ord => ord as u64,
                f.code => fold(d.code.trim()),
                f.name => d.name.as_str(),
                f.field => d.field.as_str(),
                f.agency_name => d.agency_name.as_str(),
                f.body => d.body.as_str(),
                f.level => d.level.as_str(),
                f.agency_key => d.agency_key.as_str(),
                f.field_key => fold(d.field.trim()),
                f.online => online_key(d.online_service),
            ))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index.reader()?;
        reader.reload()?;
        Ok(SearchIndex {
            reader,
            fields: f,
            codes: docs.iter().map(|d| d.code.clone()).collect(),
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Procedures matching `q`, best first (catalog order when `q` has no words).
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        let limit = q.limit.unwrap_or(usize::MAX).min(self.codes.len());
        if limit == 0 {
            return Ok(Vec::new());
        }
        let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let words = query::distinct_words(&text);
        let filters = self.filters(q);
        let searcher = self.reader.searcher();
        if words.is_empty() {
            let all = query::listing(&filters);
            let found = searcher.search(
                &all,
                &TopDocs::with_limit(limit).order_by_u64_field("ord", Order::Asc),
            )?;
            return Ok(found
                .into_iter()
                .filter_map(|(ord, _)| self.hit(ord?, 0.0))
                .collect());
        }
        let terms = query::Terms::new(self.fields, &text, words);
        for tier in terms.tiers() {
            let found = self.ranked(&searcher, &terms.build(*tier, &filters), limit)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    fn ranked(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let found = searcher.search(query, &TopDocs::with_limit(limit).order_by_score())?;
        let ords = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().u64("ord"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut hits: Vec<(u64, f32)> = found
            .into_iter()
            .filter_map(|(score, at)| {
                let column = ords.get(usize::try_from(at.segment_ord).ok()?)?;
                Some((column.first(at.doc_id)?, score))
            })
            .collect();
        // Equal scores keep catalog order, so results never shuffle between reloads.
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(hits
            .into_iter()
            .filter_map(|(ord, score)| self.hit(ord, score))
            .collect())
    }

    fn hit(&self, ord: u64, score: f32) -> Option<Hit> {
        let code = self.codes.get(usize::try_from(ord).ok()?)?.clone();
        Some(Hit { code, score })
    }

    fn filters(&self, q: &SearchQuery) -> Vec<(Field, String)> {
        let bounded = |s: &str| s.trim().chars().take(MAX_FILTER_CHARS).collect::<String>();
        let f = self.fields;
        let mut out = Vec::new();
        if let Some(level) = q.level {
            out.push((f.level, level.as_str().to_string()));
        }
        if let Some(agency) = &q.agency {
            out.push((f.agency_key, bounded(agency)));
        }
        if let Some(field) = &q.field {
            out.push((f.field_key, fold(&bounded(field))));
        }
        if let Some(online) = q.online {
            out.push((f.online, online_key(online).to_string()));
        }
        out
    }
}
