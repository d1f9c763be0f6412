//! Vietnamese text helpers.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds case and diacritics (đ → d) so that "dang ky khai sinh" matches "Đăng ký khai sinh".
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Normalizes user text to NFC and trims it; Vietnamese typed on different keyboards arrives
/// composed or decomposed, and must compare equal once stored.
pub fn clean(s: &str) -> String {
    s.trim().nfc().collect()
}

/// The folded words of a query, folded once for matching against many texts.
pub fn query_words(query: &str) -> Vec<String> {
    fold(query).split_whitespace().map(str::to_string).collect()
}

/// True when every word (from [`query_words`]) appears in the folded `haystack`.
pub fn matches_all_words(haystack_folded: &str, words: &[String]) -> bool {
    words.iter().all(|w| haystack_folded.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_and_diacritics() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("ĐĂNG KÝ KHAI SINH"), "dang ky khai sinh");
        assert!(matches_all_words(
            &fold("Đăng ký khai sinh"),
            &query_words("khai sinh")
        ));
        assert!(!matches_all_words(
            &fold("Đăng ký khai tử"),
            &query_words("khai sinh")
        ));
    }

    #[test]
    fn clean_composes_decomposed_text() {
        let decomposed: String = "Nguyễn".nfd().collect();
        assert_ne!(decomposed, "Nguyễn");
        assert_eq!(clean(&format!("  {decomposed} ")), "Nguyễn");
    }
}
