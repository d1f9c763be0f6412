//! The dossier code: `AGENCYCODE-YYMMDD-NNNN` (DOMAIN.md, Circular 01/2018/TT-VPCP).

use jiff::civil::Date;

/// Formats the code from the receiving agency's electronic identifier, the local receipt date
/// and the sequence number within that day and agency (1-based).
pub fn dossier_code(agency_code: &str, local_date: Date, sequence: u32) -> String {
    format!(
        "{}-{:02}{:02}{:02}-{:04}",
        agency_code,
        local_date.year() % 100,
        local_date.month(),
        local_date.day(),
        sequence
    )
}

/// Loose shape check used before looking a code up, so that junk never reaches the database.
pub fn looks_like_dossier_code(s: &str) -> bool {
    s.len() <= 64
        && s.len() >= 13
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The code back from its letters and digits alone (`0000101H192601150007` →
/// `000.01.01.H19-260115-0007`), as banking apps keep a transfer text; `None` for any other shape.
pub fn code_from_key(key: &str) -> Option<String> {
    let k = key.as_bytes();
    let digits = |r: std::ops::Range<usize>| k[r].iter().all(u8::is_ascii_digit);
    let shape = k.len() == 20 && digits(0..7) && k[7].is_ascii_uppercase() && digits(8..20);
    shape.then(|| {
        format!(
            "{}.{}.{}.{}-{}-{}",
            &key[0..3],
            &key[3..5],
            &key[5..7],
            &key[7..10],
            &key[10..16],
            &key[16..20]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_has_the_legal_shape() {
        let d = Date::new(2026, 3, 7).unwrap_or_default();
        assert_eq!(
            dossier_code("000.00.13.H56", d, 12),
            "000.00.13.H56-260307-0012"
        );
        assert!(looks_like_dossier_code("000.00.13.H56-260307-0012"));
        assert!(!looks_like_dossier_code("x' OR 1=1 --"));
    }

    #[test]
    fn code_comes_back_from_a_transfer_text() {
        assert_eq!(
            code_from_key("0000101H192601150007").as_deref(),
            Some("000.01.01.H19-260115-0007")
        );
        for bad in [
            "",
            "0000101H19260115000",
            "000010119192601150007",
            "0000101h192601150007",
        ] {
            assert_eq!(code_from_key(bad), None, "{bad}");
        }
    }
}
