//! Server-side validation of a procedure's declaration form. Messages are Vietnamese and are
//! shown next to the field; only the declared fields are kept (collect only what is needed).

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::ident;
use crate::procedure::{FieldType, FormField};
use crate::text;

/// Values as typed, by field key.
pub type FormValues = BTreeMap<String, String>;

/// Longest text accepted in one field.
pub const MAX_TEXT_CHARS: usize = 500;

/// Validates `values` against `fields`. Returns the cleaned values (NFC, trimmed, declared keys
/// only) or, per field key, the Vietnamese message to show next to it.
pub fn validate(
    fields: &[FormField],
    values: &FormValues,
) -> Result<FormValues, BTreeMap<String, String>> {
    let mut clean = FormValues::new();
    let mut errors = BTreeMap::new();
    for field in fields {
        let raw = values
            .get(&field.key)
            .map(|v| text::clean(v))
            .unwrap_or_default();
        if raw.is_empty() {
            if field.required {
                errors.insert(
                    field.key.clone(),
                    format!("Vui lòng nhập «{}».", field.label),
                );
            }
            continue;
        }
        match check_value(field, &raw) {
            Ok(v) => {
                clean.insert(field.key.clone(), v);
            }
            Err(msg) => {
                errors.insert(field.key.clone(), msg);
            }
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn check_value(field: &FormField, raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("Tối đa {MAX_TEXT_CHARS} ký tự."));
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err("Có ký tự không hợp lệ.".to_string());
    }
    match field.field_type {
        FieldType::Text => Ok(raw.to_string()),
        FieldType::Date => raw.parse::<Date>().map(|d| d.to_string()).map_err(|_| {
            "Ngày không hợp lệ, hãy nhập theo dạng năm-tháng-ngày (ví dụ 2026-03-14).".to_string()
        }),
        FieldType::Choice => {
            if field.options.iter().any(|o| o == raw) {
                Ok(raw.to_string())
            } else {
                Err(format!("Hãy chọn một trong: {}.", field.options.join(", ")))
            }
        }
        FieldType::PersonalId => ident::check_personal_id(raw)
            .map(|()| raw.to_string())
            .map_err(|e| e.to_string()),
        FieldType::TaxCode => ident::check_tax_code(raw)
            .map(|()| raw.to_string())
            .map_err(|e| e.to_string()),
        FieldType::Phone => ident::normalize_mobile(raw).map_err(|e| e.to_string()),
        FieldType::Integer => match raw.parse::<i64>() {
            Ok(n) if n >= 0 => within_bounds(field, n as f64).map(|()| n.to_string()),
            _ => Err("Hãy nhập một số nguyên không âm.".to_string()),
        },
        FieldType::Number => match raw.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => within_bounds(field, n).map(|()| n.to_string()),
            _ => Err("Hãy nhập một số không âm (ví dụ 120,5).".to_string()),
        },
    }
}

fn within_bounds(field: &FormField, n: f64) -> Result<(), String> {
    match (field.minimum, field.maximum) {
        (Some(lo), Some(hi)) if n < lo || n > hi => Err(format!("Hãy nhập số từ {lo} đến {hi}.")),
        (Some(lo), None) if n < lo => Err(format!("Hãy nhập số không nhỏ hơn {lo}.")),
        (None, Some(hi)) if n > hi => Err(format!("Hãy nhập số không lớn hơn {hi}.")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str, t: FieldType, required: bool) -> FormField {
        FormField {
            key: key.into(),
            label: key.to_uppercase(),
            field_type: t,
            required,
            options: if t == FieldType::Choice {
                vec!["Nam".into(), "Nữ".into()]
            } else {
                vec![]
            },
            minimum: None,
            maximum: None,
            hint: None,
            widget: None,
            autocomplete: None,
        }
    }

    #[test]
    fn every_kind_of_bad_value_gets_its_own_message() {
        let fields = vec![
            field("name", FieldType::Text, true),
            field("born", FieldType::Date, true),
            field("sex", FieldType::Choice, true),
            field("pid", FieldType::PersonalId, true),
            field("n", FieldType::Integer, true),
            field("area", FieldType::Number, false),
        ];
        let values: FormValues = [
            ("born", "14/03/2026"),
            ("sex", "X"),
            ("pid", "12345"),
            ("n", "-1"),
            ("area", "abc"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let errors = validate(&fields, &values).unwrap_err();
        assert_eq!(errors.len(), 6);
        assert!(errors["name"].contains("NAME"));
        assert!(errors["born"].contains("năm-tháng-ngày"));
        assert!(errors["sex"].contains("Nam, Nữ"));
        assert!(errors["pid"].contains("12 chữ số"));
    }

    #[test]
    fn tax_codes_and_phones_are_checked_and_phones_normalized() {
        let fields = vec![
            field("mst", FieldType::TaxCode, true),
            field("sdt", FieldType::Phone, true),
        ];
        let values = |mst: &str, sdt: &str| -> FormValues {
            [
                ("mst".to_string(), mst.to_string()),
                ("sdt".to_string(), sdt.to_string()),
            ]
            .into_iter()
            .collect()
        };
        let clean = validate(&fields, &values("0100233488", "+84 912 345 678")).unwrap();
        assert_eq!(clean["sdt"], "0912345678");
        let errors = validate(&fields, &values("0100233489", "12345")).unwrap_err();
        assert!(errors["mst"].contains("kiểm tra") && errors["sdt"].contains("10 chữ số"));
    }

    #[test]
    fn bounds_are_enforced() {
        let mut copies = field("copies", FieldType::Integer, true);
        copies.minimum = Some(1.0);
        copies.maximum = Some(10.0);
        let one = |v: &str| -> FormValues {
            [("copies".to_string(), v.to_string())]
                .into_iter()
                .collect()
        };
        assert!(
            validate(std::slice::from_ref(&copies), &one("11")).unwrap_err()["copies"]
                .contains("từ 1 đến 10")
        );
        assert!(validate(std::slice::from_ref(&copies), &one("0")).is_err());
        assert!(validate(std::slice::from_ref(&copies), &one("10")).is_ok());
    }

    #[test]
    fn good_values_are_cleaned_and_undeclared_keys_dropped() {
        let fields = vec![
            field("name", FieldType::Text, true),
            field("area", FieldType::Number, false),
            field("opt", FieldType::Text, false),
        ];
        let values: FormValues = [("name", "  Lan "), ("area", "120,5"), ("evil", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let clean = validate(&fields, &values).unwrap();
        assert_eq!(clean.get("name").map(String::as_str), Some("Lan"));
        assert_eq!(clean.get("area").map(String::as_str), Some("120.5"));
        assert!(!clean.contains_key("evil"));
        assert!(!clean.contains_key("opt"));
    }
}
