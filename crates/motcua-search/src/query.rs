//! Queries built from folded words (never from tantivy's query syntax, so quotes, colons,
//! brackets and stars typed by people are just punctuation).

use motcua_domain::text::fold;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::index::Fields;
use crate::{MAX_QUERY_WORDS, tokenizer};

/// How much a word counts in each field: the name says what the procedure is; the body only
/// mentions things.
const NAME_BOOST: f32 = 3.0;
const FIELD_BOOST: f32 = 1.5;
const AGENCY_BOOST: f32 = 1.0;
const BODY_BOOST: f32 = 0.5;
/// Extra for the words in the order typed ("đăng ký khai sinh" over "khai sinh … đăng ký"); in
/// the body it tells "giấy chứng sinh" from a "chứng" here and a "sinh" there.
const NAME_PHRASE_BOOST: f32 = 4.0;
const BODY_PHRASE_BOOST: f32 = 10.0;
/// Extra for a name that holds every word.
const WHOLE_NAME_BOOST: f32 = 2.0;
/// The code typed in full wins over any words.
const CODE_BOOST: f32 = 10.0;

/// The distinct folded words of `text`, in the order typed, at most [`MAX_QUERY_WORDS`].
pub(crate) fn distinct_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in tokenizer::words(text) {
        if out.len() == MAX_QUERY_WORDS {
            break;
        }
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Every procedure the filters let through.
pub(crate) fn listing(filters: &[(Field, String)]) -> Box<dyn Query> {
    if filters.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(BooleanQuery::intersection(
        filters.iter().map(|(f, v)| exact(*f, v)).collect(),
    ))
}

/// A word in a text field (term frequencies count towards the score).
fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::WithFreqs,
    ))
}

/// A whole value in an untokenized field (code, filters).
fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// How strictly the words must match. A search tries each in turn until one finds something,
/// so a procedure named by the words always comes before one that merely mentions them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Every word in the name, field or agency.
    InTitle,
    /// Every word somewhere, the body included (components, result, who may file).
    Anywhere,
    /// Two words in three somewhere, for searches of three words or more (one word of two
    /// finds too much: "khai tử" is not "khai sinh").
    Most,
}

/// The words of one search, ready to be turned into a query.
pub(crate) struct Terms {
    fields: Fields,
    /// The whole text folded, compared with codes.
    code: String,
    words: Vec<String>,
    /// The words as typed, repeats kept, for the phrase.
    phrase: Vec<String>,
}

impl Terms {
    pub(crate) fn new(fields: Fields, text: &str, words: Vec<String>) -> Terms {
        Terms {
            fields,
            code: fold(text.trim()),
            words,
            phrase: tokenizer::words(text)
                .into_iter()
                .take(MAX_QUERY_WORDS)
                .collect(),
        }
    }

    /// The strictness levels worth trying for these words, strictest first.
    pub(crate) fn tiers(&self) -> &'static [Strictness] {
        if self.words.len() > 2 {
            &[Strictness::InTitle, Strictness::Anywhere, Strictness::Most]
        } else {
            &[Strictness::InTitle, Strictness::Anywhere]
        }
    }

    /// The query for one strictness level. Filters must match and add nothing to the score.
    pub(crate) fn build(&self, tier: Strictness, filters: &[(Field, String)]) -> BooleanQuery {
        let f = self.fields;
        let mut places = vec![
            (f.name, NAME_BOOST),
            (f.field, FIELD_BOOST),
            (f.agency_name, AGENCY_BOOST),
        ];
        if tier != Strictness::InTitle {
            places.push((f.body, BODY_BOOST));
        }
        let per_word: Vec<Box<dyn Query>> = self
            .words
            .iter()
            .map(|w| -> Box<dyn Query> {
                Box::new(BooleanQuery::union(
                    places
                        .iter()
                        .map(|(field, boost)| boosted(term(*field, w), *boost))
                        .collect(),
                ))
            })
            .collect();
        let needed = match tier {
            Strictness::Most => per_word.len() - per_word.len() / 3,
            _ => per_word.len(),
        };
        let words = BooleanQuery::union_with_minimum_required_clauses(per_word, needed);
        let text = BooleanQuery::union(vec![
            Box::new(words),
            boosted(exact(f.code, &self.code), CODE_BOOST),
        ]);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(text))];
        if tier == Strictness::InTitle {
            // The body still tells two titles apart.
            let body = self.words.iter().map(|w| term(f.body, w)).collect();
            clauses.push((
                Occur::Should,
                boosted(Box::new(BooleanQuery::union(body)), BODY_BOOST),
            ));
        }
        if self.words.len() > 1 {
            let whole_name =
                BooleanQuery::intersection(self.words.iter().map(|w| term(f.name, w)).collect());
            clauses.push((
                Occur::Should,
                boosted(Box::new(whole_name), WHOLE_NAME_BOOST),
            ));
        }
        if self.phrase.len() > 1 {
            clauses.push((Occur::Should, self.phrase_in(f.name, NAME_PHRASE_BOOST)));
            if tier != Strictness::InTitle {
                clauses.push((Occur::Should, self.phrase_in(f.body, BODY_PHRASE_BOOST)));
            }
        }
        for (field, value) in filters {
            let filter = ConstScoreQuery::new(exact(*field, value), 0.0);
            clauses.push((Occur::Must, Box::new(filter)));
        }
        BooleanQuery::new(clauses)
    }

    /// The words in the order typed, next to each other in `field`.
    fn phrase_in(&self, field: Field, boost: f32) -> Box<dyn Query> {
        let terms = self
            .phrase
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect();
        boosted(Box::new(PhraseQuery::new(terms)), boost)
    }
}
