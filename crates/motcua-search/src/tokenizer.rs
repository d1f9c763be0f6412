//! The Vietnamese folding tokenizer. Citizens type without diacritics, in capitals, or on
//! keyboards that send decomposed text; folding both the catalog and the query the same way makes
//! "dang ky khai sinh", "ĐĂNG KÝ KHAI SINH" and "Đăng ký khai sinh" the same words.

use motcua_domain::text::fold;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name the tokenizer is registered under in the index.
pub(crate) const NAME: &str = "vi_fold";

/// Longer "words" are noise (pasted hashes, runs of letters) and are dropped, as tantivy's
/// `RemoveLongFilter` would.
const MAX_TOKEN_BYTES: usize = 40;

/// The folded words of `text`: case and diacritics removed (đ → d), split on anything that is
/// not a letter or a digit.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |_, _, w| out.push(w.to_string()));
    out
}

/// Calls `f(start, end, word)` for each folded word; offsets are in the folded text.
fn for_each_word(text: &str, mut f: impl FnMut(usize, usize, &str)) {
    let folded = fold(text);
    let mut start = None;
    for (i, c) in folded.char_indices().chain([(folded.len(), ' ')]) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s <= MAX_TOKEN_BYTES {
                    f(s, i, &folded[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// Folds the whole text once, then hands out its words.
#[derive(Clone, Default)]
pub struct FoldingTokenizer {
    tokens: Vec<Token>,
}

pub struct FoldingTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingTokenStream<'a> {
        self.tokens.clear();
        let tokens = &mut self.tokens;
        for_each_word(text, |from, to, word| {
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: tokens.len(),
                text: word.to_string(),
                position_length: 1,
            })
        });
        FoldingTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for FoldingTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    /// Only called after `advance` returned true (the tantivy contract); before that it shows
    /// the first token, and a default token for empty text.
    fn token(&self) -> &Token {
        static EMPTY: std::sync::OnceLock<Token> = std::sync::OnceLock::new();
        self.tokens
            .get(self.next.saturating_sub(1))
            .unwrap_or_else(|| EMPTY.get_or_init(Token::default))
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.tokens.is_empty() {
            self.tokens.push(Token::default());
        }
        let i = self.next.saturating_sub(1).min(self.tokens.len() - 1);
        &mut self.tokens[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_d_with_stroke() {
        assert_eq!(words("ĐĂNG KÝ KHAI SINH"), ["dang", "ky", "khai", "sinh"]);
        assert_eq!(words("Đăng ký khai sinh"), words("dang ky khai sinh"));
        assert_eq!(
            words("Sở Tư pháp; Ủy ban"),
            ["so", "tu", "phap", "uy", "ban"]
        );
        assert_eq!(words("HT-01"), ["ht", "01"]);
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        // "Nguyễn" as some keyboards send it: e, combining circumflex, combining tilde.
        assert_eq!(words("Nguye\u{0302}\u{0303}n"), words("Nguyễn"));
        assert_eq!(words("Nguyễn"), ["nguyen"]);
    }

    #[test]
    fn drops_overlong_words_and_punctuation() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(
            words(&format!("{long} khai \"sinh\" (*) :-")),
            ["khai", "sinh"]
        );
        assert!(words("  ***  ").is_empty());
    }

    #[test]
    fn token_stream_positions_follow_words() {
        let mut t = FoldingTokenizer::default();
        let mut stream = t.token_stream("Cấp  Phiếu lý lịch");
        let mut seen = Vec::new();
        while stream.advance() {
            let tok = stream.token();
            seen.push((tok.position, tok.text.clone()));
        }
        assert_eq!(
            seen,
            [
                (0, "cap".into()),
                (1, "phieu".into()),
                (2, "ly".into()),
                (3, "lich".into())
            ]
        );
        let mut empty = t.token_stream("");
        assert!(!empty.advance());
        assert_eq!(empty.token().text, "");
        empty.token_mut().text.push('x');
    }
}
