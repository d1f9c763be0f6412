//! The one-stop desk's slips as PDF, in the forms of Circular 01/2018/TT-VPCP (A5 portrait; the
//! 2025 circular renumbers some, noted on each), and the result notice with its check code.
//!
//! Pure: plain data in, PDF bytes out; no IO, no clock. Each slip carries the dossier code and a
//! QR code to the public status page, which a phone opens without signing in (the result notice
//! links to the public verification page instead). The fonts are embedded (DejaVu Serif, full
//! Vietnamese coverage) so that the slip prints the same everywhere; the text stays extractable.

use jiff::civil::{Date, DateTime};

mod forms;
mod layout;
mod pdf;
mod qr;
#[cfg(test)]
mod tests;

#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("page geometry out of range")]
    Geometry,
    #[error("the address is too long for a QR code")]
    QrTooLong,
    #[error("PDF: {0}")]
    Pdf(String),
}

/// Who issues the slip, where and when: the form's header and its place and date line.
#[derive(Debug, Clone)]
pub struct Letterhead {
    /// The receiving agency, e.g. "Ủy ban nhân dân Phường Phan Đình Phùng".
    pub agency: String,
    /// The place in "Phan Đình Phùng, ngày … tháng … năm …"; `None` prints the date alone.
    pub place: Option<String>,
    /// The day the slip is issued, local (UTC+7).
    pub issued_on: Date,
}

/// What every slip says about the dossier.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    /// Where the public pages live, e.g. `https://dichvucong.example.vn` (no trailing slash).
    /// Empty gives a relative link, still readable by a person.
    pub public_url: String,
}

/// A component handed in, as listed on the receipt.
#[derive(Debug, Clone)]
pub struct ReceivedComponent {
    pub name: String,
    /// Number of copies, when known.
    pub copies: Option<u32>,
}

/// Form 01: receipt of the dossier and appointment for the result.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub head: Letterhead,
    pub dossier: Dossier,
    pub components: Vec<ReceivedComponent>,
    /// The legal processing time in words, e.g. "05 ngày làm việc".
    pub legal_time: String,
    pub received_at: DateTime,
    pub due_at: Option<DateTime>,
    /// Where the applicant collects the result.
    pub collect_at: String,
    /// The intake officer who received it.
    pub official: Option<String>,
}

/// Form 02: everything missing at once, so that the applicant supplements only once.
#[derive(Debug, Clone)]
pub struct SupplementRequest {
    pub head: Letterhead,
    pub dossier: Dossier,
    pub filed_on: Date,
    /// What to add or fix, one item a line as the official wrote it.
    pub missing: String,
    pub official: Option<String>,
}

/// Form 03: refusal to receive the dossier, with the reasons.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub head: Letterhead,
    pub dossier: Dossier,
    pub filed_on: Date,
    /// One reason a line.
    pub reasons: String,
    pub official: Option<String>,
}

/// Form 04 (2025: apology and extension request): the agency will be late and names a new date.
#[derive(Debug, Clone)]
pub struct Apology {
    pub head: Letterhead,
    pub dossier: Dossier,
    pub received_on: Date,
    pub reason: String,
    pub previous_due: DateTime,
    pub new_due: DateTime,
    pub official: Option<String>,
}

/// One handover between the people handling the dossier.
#[derive(Debug, Clone)]
pub struct Handover {
    pub step: String,
    pub from: String,
    pub to: String,
    pub at: DateTime,
    /// The due instant in force at the handover; `None` before receipt.
    pub due: Option<DateTime>,
}

/// Form 05 (2025: form 06): the process control sheet, one row a handover.
#[derive(Debug, Clone)]
pub struct ControlSheet {
    pub head: Letterhead,
    pub dossier: Dossier,
    pub due_at: Option<DateTime>,
    pub handovers: Vec<Handover>,
}

/// The result notice of a generated result, checkable at `/verify/{code}`.
#[derive(Debug, Clone)]
pub struct ResultDocument {
    pub head: Letterhead,
    pub dossier: Dossier,
    /// The result's name, e.g. "Giấy khai sinh (bản chính)".
    pub result: String,
    /// The decision in words; blank lines separate paragraphs.
    pub decision: String,
    pub decided_at: DateTime,
    /// The leader who decided and signs.
    pub signer: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Slip {
    Receipt(Receipt),
    SupplementRequest(SupplementRequest),
    Refusal(Refusal),
    Apology(Apology),
    ControlSheet(ControlSheet),
    ResultDocument(ResultDocument),
}

impl Slip {
    /// The form's title as printed (uppercase on the page).
    pub fn title(&self) -> &'static str {
        match self {
            Slip::Receipt(_) => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Slip::SupplementRequest(_) => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Slip::Refusal(_) => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            Slip::Apology(_) => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            Slip::ControlSheet(_) => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            Slip::ResultDocument(_) => "Kết quả giải quyết thủ tục hành chính",
        }
    }

    /// The slip as a PDF document.
    pub fn to_pdf(&self) -> Result<Vec<u8>, SlipError> {
        let pages = forms::lay_out(self)?;
        let code = match self {
            Slip::Receipt(s) => &s.dossier.code,
            Slip::SupplementRequest(s) => &s.dossier.code,
            Slip::Refusal(s) => &s.dossier.code,
            Slip::Apology(s) => &s.dossier.code,
            Slip::ControlSheet(s) => &s.dossier.code,
            Slip::ResultDocument(s) => &s.dossier.code,
        };
        pdf::write(&pages, &format!("{} {code}", self.title()))
    }
}

/// The public status page of a dossier code, as printed in the QR code.
pub fn status_url(public_url: &str, code: &str) -> String {
    format!("{public_url}/status?code={}", encode(code))
}

/// The public verification page of a dossier's result.
pub fn verify_url(public_url: &str, code: &str) -> String {
    format!("{public_url}/verify/{}", encode(code))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
