//! Identifiers people type, each refused with a reason in Vietnamese:
//! - the 12-digit personal identification number, `PPP G YY NNNNNN` (Decree 137/2015/ND-CP
//!   art. 13, Circular 59/2021/TT-BCA art. 7): province-of-birth code, century-and-sex digit, the
//!   birth year's last two digits, six random digits;
//! - the enterprise / tax code (Circular 105/2020/TT-BTC art. 5): 10 digits with a check digit,
//!   13 for a branch (`NNNNNNNNNN-NNN`);
//! - Vietnamese mobile numbers (10 digits after the 2018 renumbering).

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
    #[error(
        "Số định danh cá nhân không khớp năm sinh {0} (chữ số thứ 4 đến 6 ghi thế kỷ, giới tính và năm sinh)."
    )]
    BirthYearMismatch(i16),
}

/// Checks the shape and the province code, and, when the date of birth is known, that the
/// century digit and the two year digits agree with it.
pub fn check_personal_id_for_birth_year(s: &str, birth_year: i16) -> Result<(), PersonalIdError> {
    check_personal_id(s)?;
    let bytes = s.as_bytes();
    let century_sex = i16::from(bytes[3] - b'0');
    let yy = i16::from(bytes[4] - b'0') * 10 + i16::from(bytes[5] - b'0');
    let century = 1900 + (century_sex / 2) * 100;
    if century + yy != birth_year {
        return Err(PersonalIdError::BirthYearMismatch(birth_year));
    }
    Ok(())
}

/// Why a tax code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TaxCodeError {
    #[error("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số cho đơn vị phụ thuộc (dạng 0100233488-001).")]
    Shape,
    #[error("Mã số thuế có chữ số kiểm tra không đúng.")]
    CheckDigit,
}

/// Checks an enterprise / tax code: 10 digits whose last is the check digit
/// N10 = 10 − (31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 + 13·N6 + 7·N7 + 5·N8 + 3·N9) mod 11
/// (no valid code exists when the remainder is 0); the sequence N3–N9 is never 0000000; a
/// branch adds `-NNN` with 001–999.
pub fn check_tax_code(s: &str) -> Result<(), TaxCodeError> {
    let (main, branch) = match s.split_once('-') {
        Some((m, b)) => (m, Some(b)),
        None if s.len() == 13 => (&s[..10], Some(&s[10..])),
        None => (s, None),
    };
    if main.len() != 10 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TaxCodeError::Shape);
    }
    let bad_branch = |b: &str| b.len() != 3 || !b.bytes().all(|c| c.is_ascii_digit()) || b == "000";
    if branch.is_some_and(bad_branch) {
        return Err(TaxCodeError::Shape);
    }
    let d: Vec<u32> = main.bytes().map(|b| u32::from(b - b'0')).collect();
    if d[2..9].iter().all(|x| *x == 0) {
        return Err(TaxCodeError::Shape);
    }
    let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let sum: u32 = d.iter().zip(weights).map(|(x, w)| x * w).sum();
    let check = 10 - (sum % 11) as i64;
    if !(0..=9).contains(&check) || check as u32 != d[9] {
        return Err(TaxCodeError::CheckDigit);
    }
    Ok(())
}

/// Why a mobile number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912345678)."
)]
pub struct PhoneError;

/// Normalizes a Vietnamese mobile number (`+84…`, `84…`, spaces and dots allowed) to `0XXXXXXXXX`.
pub fn normalize_mobile(s: &str) -> Result<String, PhoneError> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let local = if let Some(rest) = digits.strip_prefix("+84") {
        format!("0{rest}")
    } else if digits.starts_with("84") && digits.len() == 11 {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    let ok = local.len() == 10
        && local.bytes().all(|b| b.is_ascii_digit())
        && matches!(&local[..2], "03" | "05" | "07" | "08" | "09");
    if ok { Ok(local) } else { Err(PhoneError) }
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

/// Checks the shape and the province code.
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
    fn birth_year_must_agree() {
        assert_eq!(
            check_personal_id_for_birth_year("019195012345", 1995),
            Ok(())
        );
        assert_eq!(
            check_personal_id_for_birth_year("001203004567", 2003),
            Ok(())
        );
        assert_eq!(
            check_personal_id_for_birth_year("019195012345", 1996),
            Err(PersonalIdError::BirthYearMismatch(1996))
        );
        assert!(
            check_personal_id_for_birth_year("019295012345", 1995).is_err(),
            "2000s digit"
        );
    }

    #[test]
    fn tax_codes_follow_the_check_digit() {
        for good in [
            "0100047516",
            "0100233488",
            "0314409058-002",
            "0314409058002",
        ] {
            assert_eq!(check_tax_code(good), Ok(()), "{good}");
        }
        assert_eq!(check_tax_code("0100047517"), Err(TaxCodeError::CheckDigit));
        assert_eq!(check_tax_code("010004751"), Err(TaxCodeError::Shape));
        assert_eq!(check_tax_code("0314409058-000"), Err(TaxCodeError::Shape));
        assert_eq!(
            check_tax_code("0100000009"),
            Err(TaxCodeError::Shape),
            "sequence 0000000"
        );
        assert!(TaxCodeError::CheckDigit.to_string().contains("kiểm tra"));
    }

    #[test]
    fn mobile_numbers_are_normalized() {
        assert_eq!(normalize_mobile("0912 345 678"), Ok("0912345678".into()));
        assert_eq!(normalize_mobile("+84912345678"), Ok("0912345678".into()));
        assert_eq!(normalize_mobile("84366112233"), Ok("0366112233".into()));
        assert_eq!(
            normalize_mobile("0212345678"),
            Err(PhoneError),
            "landline prefix"
        );
        assert_eq!(normalize_mobile("091234567"), Err(PhoneError));
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
