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
use motcua_domain::provenance::{DataSource, SourcedFacts, SourcedValue, registry_sources};

/// The identity facts a population-registry component stands for, with their labels.
const IDENTITY_FACTS: [(&str, &str); 4] = [
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("personal_id", "Số định danh cá nhân"),
    ("permanent_address", "Nơi thường trú"),
];

/// National channel code for online filing.
const CHANNEL_ONLINE: i64 = 2;
/// Longest file name kept.
const MAX_FILE_NAME: usize = 200;

fn state_of(d: &DossierRow) -> Result<DossierState> {
    DossierState::parse(&d.state)
        .ok_or_else(|| AppError::Internal(format!("unknown state {}", d.state)))
}

/// Within this many working days of receipt, appraisal may still ask for a supplement
/// (Decree 61/2018 art. 19(4)).
const SUPPLEMENT_WINDOW_DAYS: u32 = 3;

fn relation(user: &CurrentUser, d: &DossierRow) -> Relation {
    match user.role {
        Role::Citizen if d.applicant_id == user.id => Relation::Owner,
        r if r.is_official() && user.agency_id.as_deref() == Some(d.agency_id.as_str()) => {
            Relation::HandlingAgency
        }
        _ => Relation::Stranger,
    }
}

fn record(
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
    async fn visible_dossier(&self, user: &CurrentUser, id: &str) -> Result<DossierRow> {
        let d = self
            .db
            .dossier(&self.tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        match relation(user, &d) {
            Relation::Owner => Ok(d),
            Relation::HandlingAgency if d.state != DossierState::Draft.as_str() => Ok(d),
            _ => Err(AppError::NotFound),
        }
    }

    async fn procedure_of(&self, d: &DossierRow) -> Result<ProcedureView> {
        let row = self
            .db
            .procedure(&self.tenant, &d.procedure_id)
            .await?
            .ok_or_else(|| AppError::Internal("dossier without procedure".into()))?;
        ProcedureView::from_row(&row)
    }

    fn form_of(&self, d: &DossierRow) -> Result<FormValues> {
        serde_json::from_str(&self.open_text(&d.form_sealed)?)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    fn seal_form(&self, values: &FormValues) -> Result<String> {
        let json = serde_json::to_string(values).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self.vault.seal_text(&json))
    }

    /// Starts a draft dossier for `procedure_code` at `agency_id` with what was typed so far.
    pub async fn start_dossier(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        values: &FormValues,
    ) -> Result<String> {
        if user.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "Chỉ người dân, doanh nghiệp mới nộp hồ sơ trực tuyến.".into(),
            ));
        }
        let catalog = self.catalog();
        let p = catalog
            .procedure(procedure_code)
            .ok_or(AppError::NotFound)?;
        if !catalog.agencies_for(p).iter().any(|a| a.id == agency_id) {
            return Err(AppError::Invalid {
                message: "Vui lòng chọn nơi nộp hồ sơ.".into(),
                fields: BTreeMap::from([(
                    "agency_id".to_string(),
                    "Vui lòng chọn nơi nộp hồ sơ.".to_string(),
                )]),
            });
        }
        let id = new_id();
        let now = now_micros();
        let mut tx = self.db.begin().await?;
        tx.create_dossier(
            &self.tenant,
            &NewDossier {
                id: id.clone(),
                procedure_id: p.id.clone(),
                agency_id: agency_id.to_string(),
                applicant_id: user.id.clone(),
                channel: CHANNEL_ONLINE,
                form_sealed: self.seal_form(&draft_values(p, values))?,
                identity_sealed: self.registry_identity(user, p).await?,
            },
            &NewEventRecord {
                at: now,
                actor_id: user.id.clone(),
                actor_role: user.role.as_str().into(),
                kind: EventKind::Created.as_str().into(),
                from_state: None,
                to_state: DossierState::Draft.as_str().into(),
                reason: None,
                data: Some(json!({"procedure": p.code, "version": p.version}).to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The identity facts a procedure takes from the population registry instead of asking for
    /// them, with their source; `None` when the procedure needs none. Only what the component
    /// names is kept (name, date of birth, personal ID, permanent residence).
    async fn registry_identity(
        &self,
        user: &CurrentUser,
        p: &ProcedureView,
    ) -> Result<Option<String>> {
        if !registry_sources(&p.definition).contains(&DataSource::PopulationRegistry) {
            return Ok(None);
        }
        let Some(profile) = self.db.user(&user.id).await?.and_then(|u| u.profile_sealed) else {
            return Ok(None);
        };
        let profile: serde_json::Value = serde_json::from_str(&self.open_text(&profile)?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let obtained_at = jiff::Timestamp::now().to_string();
        let facts: SourcedFacts = IDENTITY_FACTS
            .iter()
            .filter_map(|(key, _)| {
                let value = profile[*key].as_str()?.to_string();
                Some((
                    key.to_string(),
                    SourcedValue {
                        value,
                        source: DataSource::PopulationRegistry,
                        obtained_at: obtained_at.clone(),
                    },
                ))
            })
            .collect();
        let json = serde_json::to_string(&facts).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Some(self.vault.seal_text(&json)))
    }

    fn identity_of(&self, d: &DossierRow) -> Result<Vec<IdentityFact>> {
        let Some(sealed) = &d.identity_sealed else {
            return Ok(Vec::new());
        };
        let facts: SourcedFacts = serde_json::from_str(&self.open_text(sealed)?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(IDENTITY_FACTS
            .iter()
            .filter_map(|(key, label)| {
                facts.get(*key).map(|f| IdentityFact {
                    key: key.to_string(),
                    label,
                    value: f.value.clone(),
                    source: f.source.label(),
                })
            })
            .collect())
    }

    /// The applicant's own dossier that they may still change.
    async fn editable_dossier(&self, user: &CurrentUser, id: &str) -> Result<DossierRow> {
        let d = self.visible_dossier(user, id).await?;
        if relation(user, &d) != Relation::Owner {
            return Err(AppError::NotFound);
        }
        if !state_of(&d)?.is_editable_by_applicant() {
            return Err(AppError::invalid("Hồ sơ đã nộp, không thể sửa lúc này."));
        }
        Ok(d)
    }

    /// Saves what was typed into a draft (or a dossier being supplemented); records an event
    /// only when something changed.
    pub async fn update_form(
        &self,
        user: &CurrentUser,
        id: &str,
        values: &FormValues,
    ) -> Result<()> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        let fresh = draft_values(&p, values);
        if fresh == self.form_of(&d)? {
            return Ok(());
        }
        let state = state_of(&d)?;
        let ev = NewEvent::unchanged(EventKind::FormUpdated, state);
        let mut tx = self.db.begin().await?;
        tx.append_event(
            id,
            d.last_seq,
            &d.last_hash,
            &record(user, &ev, now_micros(), None),
            &DossierPatch {
                form_sealed: Some(self.seal_form(&fresh)?),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a file for one upload component of the applicant's dossier.
    pub async fn attach_file(
        &self,
        user: &CurrentUser,
        id: &str,
        component_index: usize,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        if !p
            .definition
            .upload_components()
            .any(|(i, _)| i == component_index)
        {
            return Err(AppError::invalid(
                "Thành phần hồ sơ này không nhận tệp tải lên.",
            ));
        }
        let state = state_of(&d)?;
        let ev = NewEvent::unchanged(EventKind::FileAttached, state);
        self.store_attachment(
            user,
            &d,
            &ev,
            "component",
            Some(component_index),
            file_name,
            bytes,
            DossierPatch::default(),
        )
        .await
    }

    /// Attaches the result document; the leader does this before approving.
    pub async fn attach_result(
        &self,
        user: &CurrentUser,
        id: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let d = self.visible_dossier(user, id).await?;
        let state = state_of(&d)?;
        if user.role != Role::Leader || relation(user, &d) != Relation::HandlingAgency {
            return Err(AppError::Forbidden(
                "Chỉ lãnh đạo của cơ quan xử lý mới đính kèm kết quả.".into(),
            ));
        }
        if state != DossierState::AwaitingApproval {
            return Err(AppError::invalid(
                "Chỉ đính kèm kết quả khi hồ sơ đang chờ phê duyệt.",
            ));
        }
        let ev = NewEvent::unchanged(EventKind::ResultAttached, state);
        let patch = DossierPatch {
            has_result: Some(true),
            ..Default::default()
        };
        self.store_attachment(user, &d, &ev, "result", None, file_name, bytes, patch)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_attachment(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        ev: &NewEvent,
        purpose: &str,
        component_index: Option<usize>,
        file_name: &str,
        bytes: &[u8],
        patch: DossierPatch,
    ) -> Result<String> {
        let stored = self.files.put(bytes).await?;
        let name: String = text::clean(file_name)
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_FILE_NAME)
            .collect();
        let name = if name.is_empty() {
            "tep-dinh-kem".to_string()
        } else {
            name
        };
        let attachment_id = new_id();
        let now = now_micros();
        let mut tx = self.db.begin().await?;
        tx.insert_attachment(
            &d.id,
            &NewAttachment {
                id: attachment_id.clone(),
                purpose: purpose.into(),
                component_index: component_index.map(|i| i as i64),
                file_name_sealed: self.vault.seal_text(&name),
                content_type: stored.content_type.into(),
                size_bytes: stored.size as i64,
                sha256: stored.sha256.clone(),
                object_key: stored.key.clone(),
                uploaded_by: user.id.clone(),
                uploaded_at: now,
            },
        )
        .await?;
        let data = json!({"attachment": attachment_id, "component": component_index, "sha256": stored.sha256});
        tx.append_event(
            &d.id,
            d.last_seq,
            &d.last_hash,
            &record(user, ev, now, Some(data)),
            &patch,
        )
        .await?;
        tx.commit().await?;
        Ok(attachment_id)
    }

    /// Files the dossier (or files it again after a supplement request). The form is judged in
    /// full here; every problem comes back at once, each next to its field.
    pub async fn submit(&self, user: &CurrentUser, id: &str) -> Result<String> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        let mut fields = match form::validate(&p.definition.form_fields, &self.form_of(&d)?) {
            Ok(_) => BTreeMap::new(),
            Err(errors) => errors,
        };
        let attached: Vec<usize> = self
            .db
            .attachments(id)
            .await?
            .iter()
            .filter(|a| a.purpose == "component")
            .filter_map(|a| a.component_index.map(|i| i as usize))
            .collect();
        for (i, name) in p.definition.missing_uploads(&attached) {
            fields.insert(format!("file_{i}"), format!("Vui lòng đính kèm «{name}»."));
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid {
                message: format!("Hồ sơ còn {} mục cần sửa hoặc bổ sung.", fields.len()),
                fields,
            });
        }
        let action = if state_of(&d)? == DossierState::Draft {
            Action::Submit
        } else {
            Action::Resubmit
        };
        self.apply(user, d, &Command::plain(action)).await
    }

    /// Takes an action on a dossier (receive, refuse, approve, rate, ...). Submitting goes
    /// through [`App::submit`], which checks the form first.
    pub async fn act(&self, user: &CurrentUser, id: &str, cmd: &Command) -> Result<String> {
        if matches!(cmd.action, Action::Submit | Action::Resubmit) {
            return self.submit(user, id).await;
        }
        let d = self.visible_dossier(user, id).await?;
        self.apply(user, d, cmd).await
    }

    /// Decides and records one action; returns the dossier code.
    async fn apply(&self, user: &CurrentUser, d: DossierRow, cmd: &Command) -> Result<String> {
        let ev = dossier::decide(self.facts(&d)?, user.role, relation(user, &d), cmd)?;
        let now = now_micros();
        let mut patch = DossierPatch {
            state: Some(ev.to.as_str().into()),
            ..Default::default()
        };
        let mut data = None;
        let mut tx = self.db.begin().await?;
        let mut code = d.code.clone();
        match cmd.action {
            Action::Submit => {
                let agency = self
                    .catalog()
                    .agency(&d.agency_id)
                    .map(|a| a.code.clone())
                    .ok_or(AppError::NotFound)?;
                let day = calendar::local_date(ts(now));
                let seq = tx
                    .next_code_sequence(&d.agency_id, &day.strftime("%y%m%d").to_string())
                    .await?;
                let new_code = code::dossier_code(&agency, day, seq as u32);
                data = Some(json!({"code": new_code}));
                patch.code = Some(new_code.clone());
                patch.submitted_at = Some(now);
                code = Some(new_code);
            }
            Action::Receive => {
                let p = self.procedure_of(&d).await?;
                let remaining =
                    (d.clock_remaining_minutes >= 0).then_some(d.clock_remaining_minutes);
                let due = calendar::due_on_receipt(
                    &self.calendar(),
                    p.definition.supplement_clock,
                    ts(now),
                    p.legal_working_days.max(0.0),
                    remaining,
                );
                patch.received_at = Some(now);
                patch.due_at = Some(due.as_microsecond());
                patch.due_extended = Some(false);
                patch.clock_remaining_minutes = Some(-1);
                data = Some(json!({"due_at": due.to_string(), "clock_resumed_minutes": remaining}));
            }
            Action::Approve | Action::Refuse | Action::Withdraw | Action::StopProcessing => {
                patch.finished_at = Some(now)
            }
            Action::RequestSupplement => {
                patch.supplement_requests = Some(d.supplement_requests + 1)
            }
            Action::RequestSupplementInAppraisal => {
                patch.supplement_requests = Some(d.supplement_requests + 1);
                let left = d
                    .due_at
                    .map(|due| self.calendar().working_minutes_between(ts(now), ts(due)));
                patch.clock_remaining_minutes = Some(left.unwrap_or(-1));
            }
            Action::Apologize => {
                let new_due = ev
                    .new_due
                    .ok_or(AppError::Internal("apology without date".into()))?;
                patch.due_at = Some(new_due.as_microsecond());
                patch.due_extended = Some(true);
                data = Some(json!({
                    "previous_due": d.due_at.map(|t| ts(t).to_string()),
                    "new_due": new_due.to_string(),
                }));
            }
            Action::Rate => {
                patch.rating = ev.score.map(i64::from);
                data = Some(json!({"score": ev.score}));
            }
            _ => {}
        }
        tx.append_event(
            &d.id,
            d.last_seq,
            &d.last_hash,
            &record(user, &ev, now, data),
            &patch,
        )
        .await?;
        tx.commit().await?;
        Ok(code.unwrap_or_default())
    }

    /// Records an official's look at the applicant's personal data (who, when, whose, why).
    async fn log_official_access(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        action: &str,
    ) -> Result<()> {
        self.db
            .log_access(&AccessLogEntry {
                id: new_id(),
                at: now_micros(),
                actor_id: user.id.clone(),
                actor_role: user.role.as_str().into(),
                subject_user_id: Some(d.applicant_id.clone()),
                dossier_id: Some(d.id.clone()),
                action: action.into(),
                purpose: "Xử lý hồ sơ".into(),
            })
            .await?;
        Ok(())
    }

    /// One dossier as its viewer may see it. An official's look at the applicant's personal data
    /// is recorded in the access log.
    pub async fn dossier_view(&self, user: &CurrentUser, id: &str) -> Result<DossierView> {
        let d = self.visible_dossier(user, id).await?;
        let rel = relation(user, &d);
        if rel == Relation::HandlingAgency {
            self.log_official_access(user, &d, "view_dossier").await?;
        }
        let procedure = self.procedure_of(&d).await?;
        let state = state_of(&d)?;
        let applicant = self
            .db
            .user(&d.applicant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let applicant_personal_id = match &applicant.profile_sealed {
            Some(p) => serde_json::from_str::<serde_json::Value>(&self.open_text(p)?)
                .ok()
                .and_then(|v| v["personal_id"].as_str().map(str::to_string)),
            None => None,
        };
        let events = self.db.events(&d.id).await?;
        let replayed = dossier::replay(events.iter().filter_map(|e| EventKind::parse(&e.kind)));
        let history_intact =
            replayed == Some(state) && motcua_store::chain_is_intact(&d.id, &events);
        let attachments = self
            .db
            .attachments(&d.id)
            .await?
            .into_iter()
            .map(|a| {
                let index = a.component_index.map(|i| i as usize);
                Ok(AttachmentView {
                    component_name: index
                        .and_then(|i| procedure.definition.components.get(i))
                        .map(|c| c.name.clone()),
                    id: a.id,
                    purpose: a.purpose,
                    component_index: index,
                    file_name: self.open_text(&a.file_name_sealed)?,
                    content_type: a.content_type,
                    size_bytes: a.size_bytes,
                    sha256: a.sha256,
                    uploaded_at: ts(a.uploaded_at),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DossierView {
            id: d.id.clone(),
            code: d.code.clone(),
            state,
            state_label: state.label(),
            national_status: state.national_status(),
            agency_name: self
                .catalog()
                .agency(&d.agency_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            applicant_name: self.open_text(&applicant.display_name_sealed)?,
            applicant_personal_id,
            identity: self.identity_of(&d)?,
            form: self.form_of(&d)?,
            attachments,
            events: events
                .iter()
                .map(|e| EventView {
                    seq: e.seq,
                    at: ts(e.at),
                    kind: e.kind.clone(),
                    label: event_label(&e.kind),
                    actor_role: Role::parse(&e.actor_role).map(Role::label).unwrap_or(""),
                    reason: e.reason.clone(),
                    state_label: DossierState::parse(&e.to_state)
                        .map(DossierState::label)
                        .unwrap_or(""),
                })
                .collect(),
            submitted_at: d.submitted_at.map(ts),
            received_at: d.received_at.map(ts),
            due_at: d.due_at.map(ts),
            finished_at: d.finished_at.map(ts),
            overdue: state.is_running() && d.due_at.is_some_and(|t| ts(t) < jiff::Timestamp::now()),
            due_extended: d.due_extended,
            rating: d.rating,
            actions: dossier::available_actions(self.facts(&d)?, user.role, rel),
            editable: rel == Relation::Owner && state.is_editable_by_applicant(),
            history_intact,
            procedure,
        })
    }

    /// Who looked at the citizen's personal data, when and why (newest first).
    pub async fn my_access_log(&self, user: &CurrentUser) -> Result<Vec<AccessView>> {
        if user.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "Trang này dành cho người dân, doanh nghiệp.".into(),
            ));
        }
        let rows = self.db.access_log_for_subject(&user.id, 200).await?;
        Ok(rows
            .into_iter()
            .map(|(e, code)| AccessView {
                at: ts(e.at),
                actor_role: Role::parse(&e.actor_role).map(Role::label).unwrap_or(""),
                action: access_label(&e.action),
                purpose: e.purpose,
                dossier_code: code,
            })
            .collect())
    }

    /// A citizen's own dossiers.
    pub async fn my_dossiers(&self, user: &CurrentUser) -> Result<Vec<DossierLine>> {
        if user.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "Trang này dành cho người dân, doanh nghiệp.".into(),
            ));
        }
        let rows = self
            .db
            .dossiers_of_applicant(&self.tenant, &user.id, 200)
            .await?;
        Ok(rows.into_iter().map(line).collect())
    }

    /// The official's work: what their role acts on next in their agency, due first.
    pub async fn work_queue(&self, user: &CurrentUser) -> Result<Vec<DossierLine>> {
        let agency = match (&user.agency_id, user.role.is_official()) {
            (Some(a), true) => a,
            _ => {
                return Err(AppError::Forbidden(
                    "Trang này dành cho cán bộ, công chức.".into(),
                ));
            }
        };
        let states: Vec<&str> = DossierState::ALL
            .into_iter()
            .filter(|s| {
                let probe = DossierFacts {
                    has_result: true,
                    ..DossierFacts::in_state(*s)
                };
                !dossier::available_actions(probe, user.role, Relation::HandlingAgency).is_empty()
            })
            .map(DossierState::as_str)
            .collect();
        let rows = self
            .db
            .dossiers_of_agency(&self.tenant, agency, &states, 500)
            .await?;
        Ok(rows.into_iter().map(line).collect())
    }

    /// Progress of a dossier for anyone who holds its code: no personal data, no reasons.
    pub async fn public_status(&self, dossier_code: &str) -> Result<Option<PublicStatus>> {
        let dossier_code = dossier_code.trim();
        if !code::looks_like_dossier_code(dossier_code) {
            return Ok(None);
        }
        let Some(d) = self.db.dossier_by_code(&self.tenant, dossier_code).await? else {
            return Ok(None);
        };
        let p = self.procedure_of(&d).await?;
        let state = state_of(&d)?;
        let steps = self
            .db
            .events(&d.id)
            .await?
            .iter()
            .filter_map(|e| match EventKind::parse(&e.kind)? {
                EventKind::Acted(a) if a != Action::Rate => Some(PublicStep {
                    at: ts(e.at),
                    label: a.label(),
                }),
                _ => None,
            })
            .collect();
        Ok(Some(PublicStatus {
            code: dossier_code.to_string(),
            procedure_name: p.name,
            agency_name: self
                .catalog()
                .agency(&d.agency_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            state,
            state_label: state.label(),
            submitted_at: d.submitted_at.map(ts),
            due_at: d.due_at.map(ts),
            finished_at: d.finished_at.map(ts),
            steps,
        }))
    }

    /// An attachment's bytes for someone allowed to see its dossier; officials' downloads are
    /// recorded in the access log.
    pub async fn download(
        &self,
        user: &CurrentUser,
        attachment_id: &str,
    ) -> Result<(String, String, Vec<u8>)> {
        let a = self
            .db
            .attachment(attachment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let d = self.visible_dossier(user, &a.dossier_id).await?;
        if relation(user, &d) == Relation::HandlingAgency {
            self.log_official_access(user, &d, "download_attachment")
                .await?;
        }
        let bytes = self.files.get(&a.object_key, &a.sha256).await?;
        Ok((self.open_text(&a.file_name_sealed)?, a.content_type, bytes))
    }
}

fn line(r: motcua_store::DossierListRow) -> DossierLine {
    let state = DossierState::parse(&r.state).unwrap_or(DossierState::Draft);
    let due_at = r.due_at.map(ts);
    DossierLine {
        overdue: state.is_running() && due_at.is_some_and(|d| d < jiff::Timestamp::now()),
        id: r.id,
        code: r.code,
        procedure_code: r.procedure_code,
        procedure_name: r.procedure_name,
        agency_name: r.agency_name,
        state,
        state_label: state.label(),
        submitted_at: r.submitted_at.map(ts),
        due_at,
        updated_at: ts(r.updated_at),
    }
}
