//! What the applicant is told, and when: every step where they must do something or where the
//! outcome changes for them (Decree 61/2018: notices of receipt, supplement, refusal, delay and
//! result go to the applicant by e-mail or SMS when filed online). Plain Vietnamese, short enough
//! for one or two SMS segments, never any personal data beyond the dossier code.

use crate::EventKind;
use crate::dossier::Action;

/// One notice, for e-mail (subject + body) and SMS (the body alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub text: String,
}

/// The facts a notice may name.
#[derive(Debug, Clone, Copy)]
pub struct NoticeFacts<'a> {
    pub code: &'a str,
    pub procedure: &'a str,
    /// What the official wrote (supplement list, reasons); cut to keep SMS short.
    pub reason: Option<&'a str>,
    /// The due date as people read it (`26/11/2026`).
    pub due: Option<&'a str>,
}

/// Longest reason quoted in a notice (the full text is on the dossier's page).
const REASON_MAX_CHARS: usize = 160;

fn quoted(reason: Option<&str>) -> String {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if r.chars().count() > REASON_MAX_CHARS => {
            let cut: String = r.chars().take(REASON_MAX_CHARS).collect();
            format!(" Nội dung: {cut}…")
        }
        Some(r) => format!(" Nội dung: {r}"),
        None => String::new(),
    }
}

/// The notice an event sends the applicant, or `None` when it is not theirs to know (internal
/// steps) or they did it themselves.
/// Whether an event of this kind is ever told to the applicant.
pub fn tells_applicant(kind: EventKind) -> bool {
    let facts = NoticeFacts {
        code: "",
        procedure: "",
        reason: None,
        due: None,
    };
    for_applicant(kind, facts).is_some()
}

pub fn for_applicant(kind: EventKind, f: NoticeFacts<'_>) -> Option<Notice> {
    let code = f.code;
    let due = f
        .due
        .map(|d| format!(" Hẹn trả kết quả: {d}."))
        .unwrap_or_default();
    let (subject, text) = match kind {
        EventKind::Acted(Action::Submit) => (
            "Đã nộp hồ sơ",
            format!(
                "Hồ sơ {code} ({}) đã được nộp, đang chờ cơ quan tiếp nhận.",
                f.procedure
            ),
        ),
        EventKind::Acted(Action::Receive) => (
            "Hồ sơ đã được tiếp nhận",
            format!("Hồ sơ {code} đã được tiếp nhận.{due}"),
        ),
        EventKind::Acted(Action::RequestSupplement | Action::RequestSupplementInAppraisal) => (
            "Cần bổ sung hồ sơ",
            format!(
                "Hồ sơ {code} cần bổ sung, hoàn thiện.{} Vui lòng bổ sung trên Cổng dịch vụ công.",
                quoted(f.reason)
            ),
        ),
        EventKind::Acted(Action::Refuse) => (
            "Hồ sơ không được tiếp nhận",
            format!("Hồ sơ {code} bị từ chối.{}", quoted(f.reason)),
        ),
        EventKind::Acted(Action::RequestPayment) => (
            "Cần thực hiện nghĩa vụ tài chính",
            format!(
                "Hồ sơ {code}: cần thực hiện nghĩa vụ tài chính.{}",
                quoted(f.reason)
            ),
        ),
        EventKind::Acted(Action::StopProcessing) => (
            "Dừng xử lý hồ sơ",
            format!("Hồ sơ {code} đã dừng xử lý.{}", quoted(f.reason)),
        ),
        EventKind::Acted(Action::Apologize) => (
            "Thư xin lỗi và hẹn lại ngày trả kết quả",
            format!("Hồ sơ {code} chậm so với hẹn; cơ quan xin lỗi.{due}"),
        ),
        EventKind::Acted(Action::Approve) => (
            "Đã có kết quả",
            format!("Hồ sơ {code} đã có kết quả; xem và tải kết quả trên Cổng dịch vụ công."),
        ),
        EventKind::Acted(Action::ReturnResult) => (
            "Đã trả kết quả",
            format!(
                "Hồ sơ {code} đã trả kết quả. Mời bạn đánh giá mức độ hài lòng trên Cổng dịch vụ công."
            ),
        ),
        EventKind::Acted(Action::CorrectResult) => (
            "Kết quả đã được đính chính",
            format!(
                "Hồ sơ {code}: kết quả đã được đính chính.{} Vui lòng tải bản đính chính trên Cổng dịch vụ công; bản cũ không còn giá trị.",
                quoted(f.reason)
            ),
        ),
        EventKind::FeePaid => (
            "Đã nhận phí, lệ phí",
            format!("Đã nhận phí, lệ phí của hồ sơ {code}. Biên lai điện tử có trên trang hồ sơ."),
        ),
        EventKind::FeeRefunded => (
            "Đã hoàn trả khoản nộp thừa",
            format!(
                "Hồ sơ {code}: khoản phí bạn đã nộp thừa qua cổng thanh toán đã được hoàn trả về tài khoản đã dùng để thanh toán."
            ),
        ),
        _ => return None,
    };
    Some(Notice {
        subject: format!("[{code}] {subject}"),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(reason: Option<&str>) -> NoticeFacts<'_> {
        NoticeFacts {
            code: "000.01.01.H19-261120-0001",
            procedure: "Đăng ký khai sinh",
            reason,
            due: Some("26/11/2026"),
        }
    }

    #[test]
    fn the_applicant_hears_of_what_concerns_them_only() {
        let told = [
            Action::Submit,
            Action::Receive,
            Action::RequestSupplement,
            Action::RequestSupplementInAppraisal,
            Action::Refuse,
            Action::RequestPayment,
            Action::StopProcessing,
            Action::Apologize,
            Action::Approve,
            Action::ReturnResult,
            Action::CorrectResult,
        ];
        for a in told {
            assert!(
                for_applicant(EventKind::Acted(a), facts(None)).is_some(),
                "{a:?}"
            );
        }
        for a in [
            Action::Appraise,
            Action::Consult,
            Action::SendBack,
            Action::Rate,
            Action::Withdraw,
        ] {
            assert!(
                for_applicant(EventKind::Acted(a), facts(None)).is_none(),
                "{a:?}"
            );
        }
        assert!(for_applicant(EventKind::StepCompleted, facts(None)).is_none());
        assert!(for_applicant(EventKind::FeePaid, facts(None)).is_some());
        let refunded = for_applicant(EventKind::FeeRefunded, facts(None)).unwrap();
        assert!(refunded.text.contains("hoàn trả"), "{}", refunded.text);
    }

    #[test]
    fn a_notice_names_the_code_the_due_date_and_a_short_reason() {
        let n = for_applicant(EventKind::Acted(Action::Receive), facts(None)).unwrap();
        assert_eq!(
            n.subject,
            "[000.01.01.H19-261120-0001] Hồ sơ đã được tiếp nhận"
        );
        assert!(n.text.contains("Hẹn trả kết quả: 26/11/2026."));
        let long = "Thiếu bản sao giấy chứng sinh. ".repeat(20);
        let n = for_applicant(
            EventKind::Acted(Action::RequestSupplement),
            facts(Some(&long)),
        )
        .unwrap();
        assert!(n.text.contains("Thiếu bản sao giấy chứng sinh."));
        assert!(n.text.chars().count() < 300, "{}", n.text.chars().count());
        assert!(n.text.contains('…'));
    }
}
