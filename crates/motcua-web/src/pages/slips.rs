//! The dossier's slips as PDF (`/dossiers/{id}/slips/{kind}.pdf`), built from what the dossier
//! view already holds: a slip exists only when the history has the act it records.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use motcua_app::domain::EventKind;
use motcua_app::domain::calendar::vietnam_tz;
use motcua_app::domain::dossier::Action;
use motcua_app::{AppError, DossierView, EventView};
use motcua_slips as slips;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipKind {
    Receipt,
    Supplement,
    Refusal,
    Apology,
    Control,
}

impl SlipKind {
    pub const ALL: [SlipKind; 5] = [
        SlipKind::Receipt,
        SlipKind::Supplement,
        SlipKind::Refusal,
        SlipKind::Apology,
        SlipKind::Control,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SlipKind::Receipt => "receipt",
            SlipKind::Supplement => "supplement",
            SlipKind::Refusal => "refusal",
            SlipKind::Apology => "apology",
            SlipKind::Control => "control",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SlipKind::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            SlipKind::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            SlipKind::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            SlipKind::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            SlipKind::Control => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        }
    }
}

/// A link to one slip, for the dossier and receipt pages.
pub struct SlipLink {
    pub href: String,
    pub label: &'static str,
}

/// The slips this dossier's history calls for, as links.
pub fn links(d: &DossierView) -> Vec<SlipLink> {
    SlipKind::ALL
        .into_iter()
        .filter(|k| applies(*k, d))
        .map(|k| SlipLink {
            href: format!("/dossiers/{}/slips/{}.pdf", d.id, k.as_str()),
            label: k.label(),
        })
        .collect()
}

fn applies(kind: SlipKind, d: &DossierView) -> bool {
    d.code.is_some()
        && match kind {
            SlipKind::Receipt | SlipKind::Control => d.received_at.is_some(),
            SlipKind::Supplement => last(d, SUPPLEMENT).is_some(),
            SlipKind::Refusal => last(d, &[Action::Refuse]).is_some(),
            SlipKind::Apology => last(d, &[Action::Apologize]).is_some(),
        }
}

const SUPPLEMENT: &[Action] = &[
    Action::RequestSupplement,
    Action::RequestSupplementInAppraisal,
];

/// The latest event recording one of `actions`.
fn last<'d>(d: &'d DossierView, actions: &[Action]) -> Option<&'d EventView> {
    d.events.iter().rev().find(
        |e| matches!(EventKind::parse(&e.kind), Some(EventKind::Acted(a)) if actions.contains(&a)),
    )
}

/// The applicant, or an official of the handling agency (as for the receipt page); 404 for a
/// slip the dossier's history does not call for.
pub async fn pdf(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let kind = file
        .strip_suffix(".pdf")
        .and_then(|k| SlipKind::ALL.into_iter().find(|x| x.as_str() == k))
        .ok_or(AppError::NotFound)?;
    let d = s.app.dossier_view(&user, &id).await?;
    let public_url = super::follow::absolute_url(&headers, "");
    let slip = build(kind, &d, &public_url, Timestamp::now()).ok_or(AppError::NotFound)?;
    let bytes = slip
        .to_pdf()
        .map_err(|e| AppError::Internal(format!("slip {}: {e}", kind.as_str())))?;
    let code = d.code.as_deref().unwrap_or_default();
    let name: String = format!("{code}-{}.pdf", kind.as_str())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn local(t: Timestamp) -> jiff::civil::DateTime {
    t.to_zoned(vietnam_tz()).datetime()
}

/// The slip of `kind` for this dossier, or `None` when its history has no such act.
pub fn build(
    kind: SlipKind,
    d: &DossierView,
    public_url: &str,
    now: Timestamp,
) -> Option<slips::Slip> {
    if !applies(kind, d) {
        return None;
    }
    let dossier = slips::Dossier {
        code: d.code.clone()?,
        procedure: d.procedure.name.clone(),
        applicant: d.applicant_name.clone(),
        public_url: public_url.to_string(),
    };
    let head = |at: Timestamp| slips::Letterhead {
        agency: d.agency_name.clone(),
        place: place_of(&d.agency_name),
        issued_on: local(at).date(),
    };
    let filed_on = local(d.submitted_at.unwrap_or(now)).date();
    Some(match kind {
        SlipKind::Receipt => {
            let received = d.received_at?;
            let official = last(d, &[Action::Receive]).and_then(|e| e.actor_name.clone());
            slips::Slip::Receipt(slips::Receipt {
                head: head(received),
                components: components(d),
                legal_time: d.procedure.legal_time_label(),
                received_at: local(received),
                due_at: d.due_at.map(local),
                collect_at: format!(
                    "Bộ phận Một cửa, {}; hoặc nhận bản điện tử trên Cổng dịch vụ công",
                    d.agency_name
                ),
                official,
                dossier,
            })
        }
        SlipKind::Supplement => {
            let e = last(d, SUPPLEMENT)?;
            slips::Slip::SupplementRequest(slips::SupplementRequest {
                head: head(e.at),
                filed_on,
                missing: e.reason.clone().unwrap_or_default(),
                official: e.actor_name.clone(),
                dossier,
            })
        }
        SlipKind::Refusal => {
            let e = last(d, &[Action::Refuse])?;
            slips::Slip::Refusal(slips::Refusal {
                head: head(e.at),
                filed_on,
                reasons: e.reason.clone().unwrap_or_default(),
                official: e.actor_name.clone(),
                dossier,
            })
        }
        SlipKind::Apology => {
            let e = last(d, &[Action::Apologize])?;
            let new_due = d.due_at?;
            slips::Slip::Apology(slips::Apology {
                head: head(e.at),
                received_on: local(d.received_at.unwrap_or(e.at)).date(),
                reason: e.reason.clone().unwrap_or_default(),
                previous_due: local(e.previous_due.unwrap_or(new_due)),
                new_due: local(new_due),
                official: e.actor_name.clone(),
                dossier,
            })
        }
        SlipKind::Control => slips::Slip::ControlSheet(slips::ControlSheet {
            head: head(now),
            due_at: d.due_at.map(local),
            handovers: super::slip_rows::handovers(d),
            dossier,
        }),
    })
}

/// The components handed in: those with a file or fetched from a registry; with neither
/// (a paper dossier), the procedure's required ones.
fn components(d: &DossierView) -> Vec<slips::ReceivedComponent> {
    let all = &d.procedure.definition.components;
    let given: Vec<_> = all
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            d.component_files().any(|a| a.component_index == Some(*i))
                || d.fetched.iter().any(|f| f.component_name == c.name)
        })
        .map(|(_, c)| c)
        .collect();
    let listed: Vec<_> = if given.is_empty() {
        all.iter().filter(|c| c.required).collect()
    } else {
        given
    };
    listed
        .into_iter()
        .map(|c| slips::ReceivedComponent {
            name: c.name.clone(),
            copies: None,
        })
        .collect()
}

/// The locality an agency is named after, for "Phan Đình Phùng, ngày …": the words after the
/// last "phường", "xã", "đặc khu", "tỉnh" or "thành phố" in its name.
pub fn place_of(agency: &str) -> Option<String> {
    let words: Vec<&str> = agency.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let after = (0..lower.len()).rev().find_map(|i| {
        let next = lower.get(i + 1).map(String::as_str);
        match (lower[i].as_str(), next) {
            ("phường" | "xã" | "tỉnh", _) => Some(i + 1),
            ("đặc", Some("khu")) | ("thành", Some("phố")) => Some(i + 2),
            _ => None,
        }
    })?;
    let place = words.get(after..)?.join(" ");
    (!place.is_empty()).then_some(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_is_the_locality_in_the_agency_name() {
        let p = |s| place_of(s);
        assert_eq!(
            p("Ủy ban nhân dân Phường Phan Đình Phùng").as_deref(),
            Some("Phan Đình Phùng")
        );
        assert_eq!(
            p("Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên").as_deref(),
            Some("Thái Nguyên")
        );
        assert_eq!(p("Công an Xã Đại Phúc").as_deref(), Some("Đại Phúc"));
        assert_eq!(p("Sở Tư pháp"), None);
    }
}
