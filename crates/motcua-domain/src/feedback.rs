//! Feedback (phản ánh, kiến nghị) on a dossier after its result, or on a procedure: the causes
//! the national survey of failed or unhappy use asks about (DOMAIN.md), free text, and the
//! agency's answer. Causes are stored as codes so that the 766 satisfaction figures can count
//! them; the text may hold personal data and is sealed by the caller.

use thiserror::Error;

use crate::dossier::DossierState;
use crate::text;

/// Longest feedback text or answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Why using the service went badly, as the national survey groups it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    Device,
    OwnNetwork,
    PortalError,
    PaymentError,
    DataSharing,
    TooComplex,
    Other,
}

impl Cause {
    pub const ALL: [Cause; 7] = [
        Cause::Device,
        Cause::OwnNetwork,
        Cause::PortalError,
        Cause::PaymentError,
        Cause::DataSharing,
        Cause::TooComplex,
        Cause::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Device => "device",
            Cause::OwnNetwork => "own_network",
            Cause::PortalError => "portal_error",
            Cause::PaymentError => "payment_error",
            Cause::DataSharing => "data_sharing",
            Cause::TooComplex => "too_complex",
            Cause::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Vietnamese label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Cause::Device => "Thiết bị (điện thoại, máy tính)",
            Cause::OwnNetwork => "Mạng Internet của tôi",
            Cause::PortalError => "Lỗi Cổng dịch vụ công",
            Cause::PaymentError => "Lỗi thanh toán trực tuyến",
            Cause::DataSharing => "Chia sẻ dữ liệu giữa các cơ quan",
            Cause::TooComplex => "Thủ tục quá phức tạp",
            Cause::Other => "Khác",
        }
    }

    /// The stored form: codes joined by commas, in the canonical order.
    pub fn join(causes: &[Cause]) -> String {
        causes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form back; unknown codes (from a later version) are skipped.
    pub fn split(stored: &str) -> Vec<Cause> {
        stored
            .split(',')
            .filter_map(|s| Cause::parse(s.trim()))
            .collect()
    }
}

/// Why feedback or an answer was not accepted; the text is shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FeedbackError {
    #[error("Vui lòng chọn ít nhất một nguyên nhân hoặc viết nội dung phản ánh, kiến nghị.")]
    Empty,
    #[error("Nguyên nhân không hợp lệ: «{0}».")]
    UnknownCause(String),
    #[error("Nội dung tối đa 2.000 ký tự (bạn đã nhập {0} ký tự).")]
    TooLong(usize),
    #[error("Nội dung có ký tự điều khiển không hợp lệ; vui lòng nhập lại.")]
    ControlCharacter,
    #[error("Vui lòng nhập nội dung trả lời.")]
    AnswerRequired,
}

impl FeedbackError {
    /// The form field the message belongs next to.
    pub fn field(&self) -> &'static str {
        match self {
            FeedbackError::Empty | FeedbackError::UnknownCause(_) => "causes",
            FeedbackError::TooLong(_) | FeedbackError::ControlCharacter => "text",
            FeedbackError::AnswerRequired => "answer",
        }
    }
}

/// Feedback that passed validation: known causes (deduplicated, canonical order) and clean text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub causes: Vec<Cause>,
    /// NFC, trimmed, line breaks as `\n`; empty when only causes were chosen.
    pub text: String,
}

/// Cleans free text: NFC, trimmed, `\r\n` as `\n`; refuses other control characters and text
/// longer than [`MAX_TEXT_CHARS`].
pub fn clean_text(raw: &str) -> Result<String, FeedbackError> {
    let cleaned = text::clean(&raw.replace("\r\n", "\n").replace('\r', "\n"));
    if cleaned
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FeedbackError::ControlCharacter);
    }
    let n = cleaned.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(FeedbackError::TooLong(n));
    }
    Ok(cleaned)
}

/// Judges feedback as typed; every problem comes back at once.
pub fn validate(causes: &[String], text: &str) -> Result<Feedback, Vec<FeedbackError>> {
    let mut errors = Vec::new();
    let mut known = Vec::new();
    for raw in causes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Cause::parse(raw) {
            Some(c) => known.push(c),
            None => errors.push(FeedbackError::UnknownCause(raw.chars().take(40).collect())),
        }
    }
    known.sort();
    known.dedup();
    let text = clean_text(text).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    if errors.is_empty() && known.is_empty() && text.is_empty() {
        errors.push(FeedbackError::Empty);
    }
    if errors.is_empty() {
        Ok(Feedback {
            causes: known,
            text,
        })
    } else {
        Err(errors)
    }
}

/// Judges an agency's answer: required, same limits as the feedback text (every error of an
/// answer belongs next to the answer field, whatever [`FeedbackError::field`] says).
pub fn validate_answer(answer: &str) -> Result<String, FeedbackError> {
    let answer = clean_text(answer)?;
    if answer.is_empty() {
        return Err(FeedbackError::AnswerRequired);
    }
    Ok(answer)
}

/// Feedback on a dossier is taken once its handling has ended: result returned, refused,
/// stopped or withdrawn.
pub fn accepts_feedback(state: DossierState) -> bool {
    state.is_closed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn causes_round_trip_and_carry_the_survey_labels() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::PortalError.label(), "Lỗi Cổng dịch vụ công");
        assert_eq!(Cause::Other.label(), "Khác");
        let stored = Cause::join(&[Cause::Device, Cause::TooComplex]);
        assert_eq!(stored, "device,too_complex");
        assert_eq!(Cause::split(&stored), [Cause::Device, Cause::TooComplex]);
        assert_eq!(Cause::split("device,later_code"), [Cause::Device]);
        assert_eq!(Cause::split(""), []);
    }

    #[test]
    fn causes_or_text_is_enough_and_duplicates_collapse() {
        let f = validate(&strings(&["too_complex", "device", "device"]), "").unwrap();
        assert_eq!(f.causes, [Cause::Device, Cause::TooComplex]);
        assert_eq!(f.text, "");
        let f = validate(&[], "  Thủ tục cần giấy tờ trùng lặp  ").unwrap();
        assert!(f.causes.is_empty());
        assert_eq!(f.text, "Thủ tục cần giấy tờ trùng lặp");
    }

    #[test]
    fn nothing_at_all_is_refused_with_a_vietnamese_message() {
        let e = validate(&strings(&["", " "]), " \n ").unwrap_err();
        assert_eq!(e, [FeedbackError::Empty]);
        assert_eq!(e[0].field(), "causes");
        assert!(e[0].to_string().contains("ít nhất một nguyên nhân"));
    }

    #[test]
    fn unknown_causes_long_text_and_control_characters_are_refused_together() {
        let long = "ả".repeat(MAX_TEXT_CHARS + 1);
        let e = validate(&strings(&["device", "hacker"]), &long).unwrap_err();
        assert_eq!(
            e,
            [
                FeedbackError::UnknownCause("hacker".into()),
                FeedbackError::TooLong(MAX_TEXT_CHARS + 1)
            ]
        );
        assert_eq!(e[1].field(), "text");
        assert!(e[1].to_string().contains("2.000 ký tự"));
        let e = validate(&[], "xin\u{0}chào").unwrap_err();
        assert_eq!(e, [FeedbackError::ControlCharacter]);
        assert!(validate(&[], &"a".repeat(MAX_TEXT_CHARS)).is_ok());
    }

    #[test]
    fn text_is_composed_and_keeps_its_line_breaks() {
        let decomposed = "Nguye\u{302}\u{303}n\r\nhai\tba";
        let f = validate(&[], decomposed).unwrap();
        assert_eq!(f.text, "Nguyễn\nhai\tba");
    }

    #[test]
    fn an_answer_is_required_and_bounded() {
        assert_eq!(validate_answer("   "), Err(FeedbackError::AnswerRequired));
        assert_eq!(FeedbackError::AnswerRequired.field(), "answer");
        assert!(matches!(
            validate_answer(&"x".repeat(MAX_TEXT_CHARS + 5)),
            Err(FeedbackError::TooLong(_))
        ));
        assert_eq!(
            validate_answer(" Cơ quan đã tiếp thu. ").as_deref(),
            Ok("Cơ quan đã tiếp thu.")
        );
    }

    #[test]
    fn feedback_on_a_dossier_waits_for_the_end_of_its_handling() {
        let open: Vec<_> = DossierState::ALL
            .into_iter()
            .filter(|s| accepts_feedback(*s))
            .collect();
        assert_eq!(
            open,
            [
                DossierState::Refused,
                DossierState::Withdrawn,
                DossierState::Stopped,
                DossierState::Returned
            ]
        );
    }
}
