//! What the use cases hand to pages and to the API: plain data, already decrypted for whoever
//! was allowed to see it, with Vietnamese labels.

use std::collections::BTreeMap;

use jiff::Timestamp;
use motcua_domain::dossier::Action;
use motcua_domain::{DossierState, EventKind};
use serde::Serialize;

use crate::ProcedureView;

/// A dossier as a line in a list or queue.
#[derive(Debug, Clone, Serialize)]
pub struct DossierLine {
    pub id: String,
    pub code: Option<String>,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub state: DossierState,
    pub state_label: &'static str,
    pub submitted_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    /// Past its due instant and still being handled.
    pub overdue: bool,
    pub urgency: motcua_domain::urgency::Urgency,
    pub urgency_label: &'static str,
    pub filing_mode: motcua_domain::channel::FilingMode,
    #[serde(skip)]
    pub applicant_id: String,
    /// Shown only when an official searched the work list by the applicant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: String,
    /// `component` or `result`.
    pub purpose: String,
    pub component_index: Option<usize>,
    pub component_name: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: Timestamp,
    /// For a result: when a leader's correction revoked it (replaced by the corrected one).
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub seq: i64,
    pub at: Timestamp,
    pub kind: String,
    pub label: &'static str,
    pub actor_role: &'static str,
    pub reason: Option<String>,
    pub state_label: &'static str,
    /// The process step (and consulted agency) the event concerns, if any.
    pub detail: Option<String>,
    /// The official who acted, by name, for the signature on slips; `None` for citizens.
    pub actor_name: Option<String>,
    /// For an apology: the due instant it replaced (the slip prints both dates).
    pub previous_due: Option<Timestamp>,
}

/// Everything about one dossier that its viewer may see.
#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    pub id: String,
    pub code: Option<String>,
    pub state: DossierState,
    pub state_label: &'static str,
    pub national_status: Option<u8>,
    pub procedure: ProcedureView,
    pub agency_name: String,
    pub applicant_name: String,
    pub applicant_personal_id: Option<String>,
    /// Self-filed, assisted, at the counter or through the national portal.
    pub filing_mode: motcua_domain::channel::FilingMode,
    pub filing_mode_label: &'static str,
    /// Identity facts taken from registries instead of asked, each with its source.
    pub identity: Vec<IdentityFact>,
    /// The applicant's reports that a registry fact is wrong (shown to officials).
    pub identity_flags: Vec<crate::FactFlagView>,
    /// Components fetched from national databases when the dossier was filed.
    pub fetched: Vec<crate::FetchedComponent>,
    pub form: BTreeMap<String, String>,
    pub attachments: Vec<AttachmentView>,
    pub events: Vec<EventView>,
    pub submitted_at: Option<Timestamp>,
    pub received_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// Still being handled and past its due instant.
    pub overdue: bool,
    /// The due date was moved by an apology since receipt.
    pub due_extended: bool,
    pub rating: Option<i64>,
    /// What the viewer can do now.
    pub actions: Vec<Action>,
    /// The internal process, for officials (handling or consulted agency); drawn only for the page.
    pub process: Option<crate::ProcessView>,
    /// The viewer is the applicant and may still change the form and files.
    pub editable: bool,
    /// The history replays to the stored state and its hash chain is unbroken.
    pub history_intact: bool,
}

impl DossierView {
    pub fn can(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }

    pub fn result_files(&self) -> impl Iterator<Item = &AttachmentView> {
        self.attachments.iter().filter(|a| a.purpose == "result")
    }

    pub fn has_results(&self) -> bool {
        self.result_files().next().is_some()
    }

    pub fn has_components(&self) -> bool {
        self.component_files().next().is_some()
    }

    pub fn component_files(&self) -> impl Iterator<Item = &AttachmentView> {
        self.attachments.iter().filter(|a| a.purpose == "component")
    }
}

/// One identity fact of the applicant and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityFact {
    pub key: String,
    pub label: &'static str,
    pub value: String,
    pub source: &'static str,
    /// The registry could not confirm it: shown flagged, an officer checks it.
    pub unverified: bool,
}

/// What anyone holding a dossier code may learn: progress, never personal data or reasons.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub state: DossierState,
    pub state_label: &'static str,
    pub submitted_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub steps: Vec<PublicStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicStep {
    pub at: Timestamp,
    pub label: &'static str,
}

pub(crate) fn ts(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn event_label(kind: &str) -> &'static str {
    EventKind::parse(kind)
        .map(EventKind::label)
        .unwrap_or("Sự kiện")
}

/// One look at a citizen's personal data, as the citizen sees it on "my data".
#[derive(Debug, Clone, Serialize)]
pub struct AccessView {
    pub at: Timestamp,
    pub actor_role: &'static str,
    pub action: &'static str,
    pub purpose: String,
    pub dossier_code: Option<String>,
}

pub(crate) fn access_label(action: &str) -> &'static str {
    match action {
        "view_dossier" => "Xem hồ sơ",
        "download_attachment" => "Tải giấy tờ đính kèm",
        "read_feedback" => "Đọc phản ánh, kiến nghị",
        "registry_lookup" => "Tra cứu CSDL quốc gia về dân cư",
        "registry_lookup_failed" => "Tra cứu CSDL quốc gia về dân cư (không thành công)",
        "search_by_name" => "Tìm hồ sơ theo tên người nộp",
        _ => "Truy cập dữ liệu",
    }
}

/// What an official narrows the work list to.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Part of the dossier code or of the procedure's code or name, or the beginnings of the
    /// words of the applicant's name; any case or diacritics.
    pub q: Option<String>,
    pub urgency: Option<motcua_domain::urgency::Urgency>,
}

/// A page of the work list, filtered, with how many lines of each urgency the whole list has.
#[derive(Debug, Clone, Serialize)]
pub struct QueueView {
    pub lines: Vec<DossierLine>,
    pub counts: Vec<(motcua_domain::urgency::Urgency, &'static str, usize)>,
    pub total: usize,
    /// The cursor of the next page, when there is more.
    pub next: Option<String>,
}
