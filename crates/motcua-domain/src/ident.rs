//! Identifiers people type: the 12-digit personal identification number.
//! Layout `PPP G YY NNNNNN` (Circular 59/2021/TT-BCA, art. 7): province-of-birth code, century
//! and sex digit, last two digits of the birth year, six random digits.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use thiserror::Error;

/// Why a personal ID was refused; the text is shown to people as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PersonalIdError {
    #[error("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    Shape,
    #[error("Ba chữ số đầu ({0}) không phải mã tỉnh nơi đăng ký khai sinh.")]
    UnknownProvince(String),
}

fn province_codes() -> &'static BTreeSet<String> {
    static CODES: OnceLock<BTreeSet<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let raw = include_str!("../../../data/personal-id-codes.json");
        let parsed: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
        parsed["provinces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["code"].as_str().map(str::to_string))
            .collect()
    })
}

/// Checks the shape and the province code. (Birth-year agreement needs a date of birth; the
/// lifecycle issue adds it.)
pub fn check_personal_id(s: &str) -> Result<(), PersonalIdError> {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersonalIdError::Shape);
    }
    let province = &s[..3];
    if !province_codes().contains(province) {
        return Err(PersonalIdError::UnknownProvince(province.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_people_have_valid_ids() {
        for id in ["019195012345", "019088001234", "001203004567"] {
            assert_eq!(check_personal_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn bad_ids_say_why() {
        assert_eq!(
            check_personal_id("01919501234"),
            Err(PersonalIdError::Shape)
        );
        assert_eq!(
            check_personal_id("01919501234a"),
            Err(PersonalIdError::Shape)
        );
        assert_eq!(
            check_personal_id("003195012345"),
            Err(PersonalIdError::UnknownProvince("003".into()))
        );
        assert!(province_codes().len() >= 63);
    }
}
