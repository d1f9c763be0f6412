//! What a dossier owes in fees and charges (phí, lệ phí): the catalog's fee for the channel (the
//! online fee is often lower, to draw people online), times the copies asked for where the fee
//! is per copy, less an exemption or reduction the applicant declared in the form. The officer
//! checks a declared exemption at intake like any other fact of the form.

use serde::{Deserialize, Serialize};

use crate::DossierState;
use crate::form::FormValues;

/// How a procedure's fee varies with the form; plain data in the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRules {
    /// An integer field that multiplies the fee (e.g. the number of copies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_field: Option<String>,
    /// Exemptions and reductions by the value of a form field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<FeeExemption>,
}

impl FeeRules {
    pub fn is_empty(&self) -> bool {
        self.per_field.is_none() && self.exemptions.is_empty()
    }
}

/// "Applicants whose `field` is one of `values` pay `100 - percent` % of the fee."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeExemption {
    pub field: String,
    pub values: Vec<String>,
    /// 100 = exempt, 50 = half the fee.
    pub percent: u8,
    /// Why, in plain words, with its legal basis.
    pub reason: String,
}

/// One line of a fee quote, as the receipt prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeLine {
    pub label: String,
    /// Negative for a reduction.
    pub amount_vnd: i64,
}

/// What is owed, and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeQuote {
    pub lines: Vec<FeeLine>,
    pub amount_vnd: u64,
    /// How much less than in person, for a dossier filed online.
    pub online_saving_vnd: u64,
}

impl FeeQuote {
    pub fn is_free(&self) -> bool {
        self.amount_vnd == 0
    }
}

/// Fees are paid once the dossier is filed and until its handling has ended.
pub fn accepts_payment(state: DossierState) -> bool {
    state != DossierState::Draft && !state.is_closed()
}

/// Longest multiplier taken from a form (a form bounds its own integers; this bounds the sum).
const MAX_COPIES: u64 = 100;

/// The quote for a dossier: `fee_vnd` in person, `online_fee_vnd` online.
pub fn quote(
    fee_vnd: u64,
    online_fee_vnd: u64,
    online: bool,
    rules: &FeeRules,
    form: &FormValues,
) -> FeeQuote {
    let unit = if online { online_fee_vnd } else { fee_vnd };
    let copies = rules
        .per_field
        .as_deref()
        .and_then(|f| form.get(f))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n >= 1)
        .map_or(1, |n| n.min(MAX_COPIES));
    let gross = unit.saturating_mul(copies);
    let mut lines = Vec::new();
    if gross > 0 {
        let label = match copies {
            1 if online && online_fee_vnd < fee_vnd => {
                "Phí, lệ phí (mức nộp trực tuyến)".to_string()
            }
            1 => "Phí, lệ phí".to_string(),
            n => format!("Phí, lệ phí × {n} bản"),
        };
        lines.push(FeeLine {
            label,
            amount_vnd: i64::try_from(gross).unwrap_or(i64::MAX),
        });
    }
    let exemption = rules
        .exemptions
        .iter()
        .find(|e| form.get(&e.field).is_some_and(|v| e.values.contains(v)));
    let mut amount = gross;
    if let Some(e) = exemption.filter(|_| gross > 0) {
        let off = gross.saturating_mul(u64::from(e.percent.min(100))) / 100;
        amount = gross - off;
        lines.push(FeeLine {
            label: if e.percent >= 100 {
                format!("Miễn: {}", e.reason)
            } else {
                format!("Giảm {}%: {}", e.percent, e.reason)
            },
            amount_vnd: -i64::try_from(off).unwrap_or(i64::MAX),
        });
    }
    let in_person = fee_vnd.saturating_mul(copies);
    FeeQuote {
        lines,
        amount_vnd: amount,
        online_saving_vnd: if online {
            in_person.saturating_sub(gross)
        } else {
            0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> FeeRules {
        FeeRules {
            per_field: Some("copies".into()),
            exemptions: vec![
                FeeExemption {
                    field: "fee_group".into(),
                    values: vec!["Trẻ em".into(), "Người cao tuổi".into()],
                    percent: 100,
                    reason: "trẻ em, người cao tuổi".into(),
                },
                FeeExemption {
                    field: "fee_group".into(),
                    values: vec!["Sinh viên".into()],
                    percent: 50,
                    reason: "sinh viên".into(),
                },
            ],
        }
    }

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn online_fee_and_its_saving() {
        let q = quote(20_000, 10_000, true, &FeeRules::default(), &form(&[]));
        assert_eq!(q.amount_vnd, 10_000);
        assert_eq!(q.online_saving_vnd, 10_000);
        assert_eq!(q.lines[0].label, "Phí, lệ phí (mức nộp trực tuyến)");
        let q = quote(20_000, 10_000, false, &FeeRules::default(), &form(&[]));
        assert_eq!((q.amount_vnd, q.online_saving_vnd), (20_000, 0));
    }

    #[test]
    fn copies_multiply_and_exemptions_subtract() {
        let two = form(&[("copies", "2")]);
        assert_eq!(
            quote(200_000, 200_000, true, &rules(), &two).amount_vnd,
            400_000
        );
        let student = form(&[("copies", "3"), ("fee_group", "Sinh viên")]);
        let q = quote(200_000, 200_000, true, &rules(), &student);
        assert_eq!(q.amount_vnd, 300_000);
        assert_eq!(q.lines[0].amount_vnd, 600_000);
        assert_eq!(q.lines[1].amount_vnd, -300_000);
        assert_eq!(q.lines[1].label, "Giảm 50%: sinh viên");
        let child = form(&[("copies", "1"), ("fee_group", "Trẻ em")]);
        let q = quote(200_000, 200_000, true, &rules(), &child);
        assert!(q.is_free());
        assert_eq!(q.lines[1].label, "Miễn: trẻ em, người cao tuổi");
    }

    #[test]
    fn odd_multipliers_fall_back_and_are_bounded() {
        for v in ["", "0", "-3", "abc"] {
            let q = quote(1_000, 1_000, true, &rules(), &form(&[("copies", v)]));
            assert_eq!(q.amount_vnd, 1_000, "{v:?}");
        }
        let q = quote(1_000, 1_000, true, &rules(), &form(&[("copies", "100000")]));
        assert_eq!(q.amount_vnd, 100_000);
    }

    #[test]
    fn a_free_procedure_has_no_lines() {
        let q = quote(0, 0, true, &rules(), &form(&[("fee_group", "Trẻ em")]));
        assert!(q.is_free());
        assert!(q.lines.is_empty());
    }
}
