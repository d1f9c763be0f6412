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
}
