//! Filing and handling dossiers. Every change is decided by `motcua_domain::dossier::decide` and
//! written as an event together with the dossier's new state, in one transaction.

use std::collections::BTreeMap;

use motcua_domain::dossier::{self, Action, Relation};
use motcua_domain::form::{self, FormValues};
use motcua_domain::{
    Command, DossierFacts, DossierState, EventKind, NewEvent, Role, calendar, code, text,
};
use motcua_store::{
    AccessLogEntry, DossierPatch, DossierRow, NewAttachment, NewDossier, NewEventRecord,
};
use serde_json::json;

use crate::views::{
    AccessView, AttachmentView, DossierLine, DossierView, EventView, IdentityFact, PublicStatus,
    PublicStep, access_label, event_label, ts,
};
use crate::{App, AppError, CurrentUser, ProcedureView, Result, new_id, now_micros};
use motcua_domain::provenance::SourcedFacts;

/// The identity facts a population-registry component stands for, with their labels.
pub(crate) const IDENTITY_FACTS: [(&str, &str); 5] = [
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("personal_id", "Số định danh cá nhân"),
    ("permanent_address", "Nơi thường trú"),
];

/// National channel code for online filing.
pub(crate) const CHANNEL_ONLINE: i64 = 2;
/// Longest file name kept.
const MAX_FILE_NAME: usize = 200;

pub(crate) fn state_of(d: &DossierRow) -> Result<DossierState> {
    DossierState::parse(&d.state)
        .ok_or_else(|| AppError::Internal(format!("unknown state {}", d.state)))
}

/// Within this many working days of receipt, appraisal may still ask for a supplement
/// (Decree 61/2018 art. 19(4)).
const SUPPLEMENT_WINDOW_DAYS: u32 = 3;

pub(crate) fn relation(user: &CurrentUser, d: &DossierRow) -> Relation {
    let filer = d.filed_by.as_deref() == Some(user.id.as_str())
        && DossierState::parse(&d.state).is_some_and(DossierState::is_editable_by_applicant);
    match user.role {
        Role::Citizen if d.applicant_id == user.id => Relation::Owner,
        Role::IntakeOfficer if filer => Relation::Filer,
        r if r.is_official() && user.agency_id.as_deref() == Some(d.agency_id.as_str()) => {
            Relation::HandlingAgency
        }
        _ => Relation::Stranger,
    }
}

pub(crate) fn record(
    user: &CurrentUser,
    ev: &NewEvent,
    at: i64,
    data: Option<serde_json::Value>,
) -> NewEventRecord {
    NewEventRecord {
        at,
        actor_id: user.id.clone(),
        actor_role: user.role.as_str().to_string(),
        kind: ev.kind.as_str().to_string(),
        from_state: Some(ev.from.as_str().to_string()),
        to_state: ev.to.as_str().to_string(),
        reason: ev.reason.clone(),
        data: data.map(|d| d.to_string()),
    }
}

/// Keeps only the declared fields, cleaned but not yet judged: a draft keeps whatever was typed.
fn draft_values(p: &ProcedureView, values: &FormValues) -> FormValues {
    p.definition
        .form_fields
        .iter()
        .filter_map(|f| {
            let v = text::clean(values.get(&f.key)?);
            let v: String = v.chars().take(form::MAX_TEXT_CHARS * 2).collect();
            (!v.is_empty()).then(|| (f.key.clone(), v))
        })
        .collect()
}

impl App {
    fn facts(&self, d: &DossierRow) -> Result<DossierFacts> {
        let now = jiff::Timestamp::now();
        Ok(DossierFacts {
            state: state_of(d)?,
            has_result: d.has_result,
            rated: d.rating.is_some(),
            due_extended: d.due_extended,
            supplement_window_open: d.received_at.is_some_and(|r| {
                self.calendar().working_days_between(ts(r), now) <= SUPPLEMENT_WINDOW_DAYS
            }),
            due_at: d.due_at.map(ts),
        })
    }

    /// The dossier if `user` may see it; `NotFound` otherwise, so that others' codes leak nothing.
    pub(crate) async fn visible_dossier(&self, user: &CurrentUser, id: &str) -> Result<DossierRow> {
        let d = self
            .db
            .dossier(&self.tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        match relation(user, &d) {
            Relation::Owner | Relation::Filer => Ok(d),
            Relation::HandlingAgency if d.state != DossierState::Draft.as_str() => Ok(d),
            // The officer who filed it for the applicant follows it, wherever it is handled.
            Relation::Stranger if d.filed_by.as_deref() == Some(user.id.as_str()) => Ok(d),
            Relation::Stranger if self.is_consulted(user, &d).await? => Ok(d),
            _ => Err(AppError::NotFound),
        }
    }

    /// The procedure version a dossier was filed under: from the catalog when it is the current
    /// one (versions never change once written), else read.
    pub(crate) async fn procedure_of(&self, d: &DossierRow) -> Result<ProcedureView> {
        if let Some(p) = self.catalog().version(&d.procedure_id) {
            return Ok(p.clone());
        }
        let row = self
            .db
            .procedure(&self.tenant, &d.procedure_id)
            .await?
            .ok_or_else(|| AppError::Internal("dossier without procedure".into()))?;
        ProcedureView::from_row(&row)
    }

    pub(crate) fn form_of(&self, d: &DossierRow) -> Result<FormValues> {
        serde_json::from_str(&self.open_text(&d.form_sealed)?)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    fn seal_form(&self, values: &FormValues) -> Result<String> {
        let json = serde_json::to_string(values).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self.vault.seal_text(&json))
    }

    fn identity_of(&self, d: &DossierRow) -> Result<Vec<IdentityFact>> {
        let Some(sealed) = &d.identity_sealed else {
            return Ok(Vec::new());
        };
        let facts: SourcedFacts = serde_json::from_str(&self.open_text(sealed)?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(crate::registry::identity_facts(&facts))
    }

    /// The applicant's own dossier that they may still change.
    async fn editable_dossier(&self, user: &CurrentUser, id: &str) -> Result<DossierRow> {
        let d = self.visible_dossier(user, id).await?;
        if !matches!(relation(user, &d), Relation::Owner | Relation::Filer) {
            return Err(AppError::NotFound);
        }
        if !state_of(&d)?.is_editable_by_applicant() {
            return Err(AppError::invalid("Hồ sơ đã nộp, không thể sửa lúc này."));
        }
        Ok(d)
    }

    /// Records an official's look at the applicant's personal data (who, when, whose, why).
    async fn log_official_access(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        action: &str,
    ) -> Result<()> {
        self.log_access_to(user, &d.applicant_id, &d.id, action, "Xử lý hồ sơ")
            .await
    }

    /// Records an official's look at one applicant's data on one dossier.
    pub(crate) async fn log_access_to(
        &self,
        user: &CurrentUser,
        applicant_id: &str,
        dossier_id: &str,
        action: &str,
        purpose: &str,
    ) -> Result<()> {
        self.db
            .log_access(&AccessLogEntry {
                id: new_id(),
                at: now_micros(),
                actor_id: user.id.clone(),
                actor_role: user.role.as_str().into(),
                subject_user_id: Some(applicant_id.to_string()),
                dossier_id: Some(dossier_id.to_string()),
                action: action.into(),
                purpose: purpose.into(),
            })
            .await?;
        Ok(())
    }
}

mod bulk;
mod correction;
pub(crate) mod filing;
pub(crate) mod funnel;
mod handling;
mod intake;
pub(crate) mod lists;
mod load;
mod pulled;
mod reading;
pub(crate) mod status_cache;

pub use bulk::{BulkOutcome, MAX_BULK};
pub use intake::ApplicantInput;
pub(crate) use lists::name_tokens;
pub use lists::{DEFAULT_PAGE, MAX_PAGE, Page, PageRequest};
pub use load::{LoadRow, LoadView};
