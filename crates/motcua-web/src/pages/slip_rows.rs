//! The rows of the process control sheet: each act that passes the dossier on, from whom to
//! whom, when, and whether it was within the due date then in force.

use jiff::Timestamp;
use motcua_app::domain::EventKind;
use motcua_app::domain::calendar::vietnam_tz;
use motcua_app::domain::dossier::Action;
use motcua_app::{DossierView, EventView};
use motcua_slips::Handover;

/// Who an act hands the dossier to.
fn recipient(kind: EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::Acted(a) => match a {
            Action::Submit | Action::Resubmit => "Bộ phận Một cửa",
            Action::Receive | Action::SendBack | Action::RecordOpinion | Action::ConfirmPayment => {
                "Chuyên viên xử lý"
            }
            Action::Appraise => "Lãnh đạo",
            Action::Approve => "Bộ phận Một cửa (trả kết quả)",
            Action::Consult => "Cơ quan phối hợp",
            Action::ReturnResult
            | Action::RequestSupplement
            | Action::RequestSupplementInAppraisal
            | Action::Refuse
            | Action::StopProcessing
            | Action::RequestPayment
            | Action::CorrectResult => "Người nộp hồ sơ",
            Action::Withdraw | Action::Apologize | Action::Rate => return None,
        },
        EventKind::StepCompleted | EventKind::OpinionGiven => "Bước xử lý tiếp theo",
        _ => return None,
    })
}

fn who(e: &EventView) -> String {
    match &e.actor_name {
        Some(name) => format!("{} ({name})", e.actor_role),
        None => e.actor_role.to_string(),
    }
}

/// The due instant in force at `at`: none before receipt; an apology's earlier date before it.
fn due_then(d: &DossierView, at: Timestamp) -> Option<Timestamp> {
    if d.received_at.is_none_or(|r| at < r) {
        return None;
    }
    d.events
        .iter()
        .filter(|e| e.kind == Action::Apologize.as_str() && e.at > at)
        .find_map(|e| e.previous_due)
        .or(d.due_at)
}

pub fn handovers(d: &DossierView) -> Vec<Handover> {
    let local = |t: Timestamp| t.to_zoned(vietnam_tz()).datetime();
    d.events
        .iter()
        .filter_map(|e| {
            let to = recipient(EventKind::parse(&e.kind)?)?;
            let step = match &e.detail {
                Some(detail) => format!("{}: {detail}", e.label),
                None => e.label.to_string(),
            };
            Some(Handover {
                step,
                from: who(e),
                to: to.to_string(),
                at: local(e.at),
                due: due_then(d, e.at).map(local),
            })
        })
        .collect()
}
