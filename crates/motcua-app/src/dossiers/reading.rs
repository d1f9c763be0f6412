//! Reading dossiers: one dossier as its viewer may see it, lists and queues, public status,
//! downloads and the citizen's access log.

use super::*;
use motcua_domain::channel::FilingMode;

impl App {
    /// One dossier as its viewer may see it. An official's look at the applicant's personal data
    /// is recorded in the access log.
    pub async fn dossier_view(&self, user: &CurrentUser, id: &str) -> Result<DossierView> {
        self.dossier_view_drawn(user, id, false).await
    }

    /// The same, with the process drawn for officials (`with_drawing`): what the page shows.
    pub async fn dossier_view_drawn(
        &self,
        user: &CurrentUser,
        id: &str,
        with_drawing: bool,
    ) -> Result<DossierView> {
        let d = self.visible_dossier(user, id).await?;
        let rel = relation(user, &d);
        if user.role.is_official() {
            self.log_official_access(user, &d, "view_dossier").await?;
        }
        let procedure = self.procedure_of(&d).await?;
        let state = state_of(&d)?;
        let filing_mode = FilingMode::parse(&d.filing_mode).unwrap_or(FilingMode::SelfFiled);
        let applicant = self
            .db
            .user(&d.applicant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let applicant_personal_id = self
            .profile_of(&applicant)?
            .and_then(|v| v["personal_id"].as_str().map(str::to_string));
        let events = self.db.events(&d.id).await?;
        let names = self.official_names(&events).await?;
        let replayed = dossier::replay(events.iter().filter_map(|e| EventKind::parse(&e.kind)));
        let history_intact =
            replayed == Some(state) && motcua_store::chain_is_intact(&d.id, &events);
        let revoked: std::collections::HashMap<String, i64> = self
            .db
            .signed_results(&d.id)
            .await?
            .into_iter()
            .filter_map(|s| Some((s.signature.attachment_id, s.revoked_at?)))
            .collect();
        let attachments = self
            .db
            .attachments(&d.id)
            .await?
            .into_iter()
            .map(|a| {
                let index = a.component_index.map(|i| i as usize);
                Ok(AttachmentView {
                    revoked_at: revoked.get(&a.id).copied().map(ts),
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
            filing_mode,
            filing_mode_label: filing_mode.label(),
            identity: self.identity_of(&d)?,
            identity_flags: if user.role.is_official() {
                self.flags_of(&d.applicant_id).await?
            } else {
                Vec::new()
            },
            form: self.form_of(&d)?,
            fetched: self.fetched_of(&d, &procedure).await?,
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
                    detail: event_detail(e.data.as_deref()),
                    actor_name: names.get(&e.actor_id).cloned(),
                    previous_due: previous_due(e.data.as_deref()),
                })
                .collect(),
            submitted_at: d.submitted_at.map(ts),
            received_at: d.received_at.map(ts),
            due_at: d.due_at.map(ts),
            finished_at: d.finished_at.map(ts),
            overdue: state.is_overdue(d.due_at.map(ts), jiff::Timestamp::now()),
            due_extended: d.due_extended,
            rating: d.rating,
            actions: dossier::available_actions(self.facts(&d)?, user.role, rel),
            process: if user.role.is_official() {
                self.process_view(user, &d, with_drawing).await?
            } else {
                None
            },
            editable: matches!(rel, Relation::Owner | Relation::Filer)
                && state.is_editable_by_applicant(),
            history_intact,
            procedure,
        })
    }

    /// The officials who acted on a dossier, by name: slips print who received or decided.
    /// One read per distinct official.
    async fn official_names(
        &self,
        events: &[motcua_store::EventRow],
    ) -> Result<BTreeMap<String, String>> {
        let mut names = BTreeMap::new();
        for e in events {
            let official = Role::parse(&e.actor_role).is_some_and(Role::is_official);
            if !official || names.contains_key(&e.actor_id) {
                continue;
            }
            if let Some(u) = self.db.user(&e.actor_id).await? {
                names.insert(e.actor_id.clone(), self.open_text(&u.display_name_sealed)?);
            }
        }
        Ok(names)
    }

    /// A page of who looked at the citizen's personal data, when and why (newest first).
    pub async fn my_access_log(
        &self,
        user: &CurrentUser,
        page: &super::PageRequest,
    ) -> Result<super::Page<AccessView>> {
        if user.role != Role::Citizen {
            return Err(AppError::Forbidden(
                "Trang này dành cho người dân, doanh nghiệp.".into(),
            ));
        }
        let limit = page.size()?;
        let after = page.parts(2)?;
        let after = match &after {
            Some(p) => Some((super::lists::number(&p[0])?, p[1].as_str())),
            None => None,
        };
        let mut rows = self
            .db
            .access_log_for_subject(&user.id, after, limit + 1)
            .await?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last()
                .map(|(e, _)| super::lists::cursor(&[&e.at.to_string(), &e.id]))
        } else {
            None
        };
        Ok(super::Page {
            items: rows
                .into_iter()
                .map(|(e, code)| AccessView {
                    at: ts(e.at),
                    actor_role: Role::parse(&e.actor_role).map(Role::label).unwrap_or(""),
                    action: access_label(&e.action),
                    purpose: e.purpose,
                    dossier_code: code,
                })
                .collect(),
            next,
        })
    }

    /// Progress of a dossier for anyone who holds its code: no personal data, no reasons.
    pub async fn public_status(&self, dossier_code: &str) -> Result<Option<PublicStatus>> {
        let dossier_code = dossier_code.trim();
        if !code::looks_like_dossier_code(dossier_code) {
            return Ok(None);
        }
        if let Some(known) = self.statuses.get(dossier_code) {
            return Ok(known.map(|s| (*s).clone()));
        }
        let read_at = std::time::Instant::now();
        let status = self.read_public_status(dossier_code).await?;
        self.statuses.put(
            dossier_code,
            read_at,
            status.clone().map(std::sync::Arc::new),
        );
        Ok(status)
    }

    async fn read_public_status(&self, dossier_code: &str) -> Result<Option<PublicStatus>> {
        let Some(d) = self.db.public_track(&self.tenant, dossier_code).await? else {
            return Ok(None);
        };
        let procedure_name = match self.catalog().version(&d.procedure_id) {
            Some(p) => p.name.clone(),
            None => self
                .db
                .procedure(&self.tenant, &d.procedure_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default(),
        };
        let state = DossierState::parse(&d.state)
            .ok_or_else(|| AppError::Internal(format!("unknown state {}", d.state)))?;
        let steps = d
            .events
            .iter()
            .filter_map(|(at, kind)| match EventKind::parse(kind)? {
                EventKind::Acted(a) if a != Action::Rate => Some(PublicStep {
                    at: ts(*at),
                    label: a.label(),
                }),
                _ => None,
            })
            .collect();
        Ok(Some(PublicStatus {
            code: dossier_code.to_string(),
            procedure_name,
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

pub(super) fn line(
    cal: &motcua_domain::calendar::Calendar,
    now: jiff::Timestamp,
    r: motcua_store::DossierListRow,
) -> DossierLine {
    let state = DossierState::parse(&r.state).unwrap_or(DossierState::Draft);
    let due_at = r.due_at.map(ts);
    let urgency = motcua_domain::urgency::urgency(cal, state, due_at, now);
    DossierLine {
        overdue: state.is_overdue(due_at, now),
        urgency,
        urgency_label: urgency.label(),
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
        filing_mode: FilingMode::parse(&r.filing_mode).unwrap_or(FilingMode::SelfFiled),
        applicant_id: r.applicant_id,
        applicant_name: None,
    }
}

/// "Step name · agency" from an event's data, for the history.
/// The apology's replaced due instant, from its event data.
fn previous_due(data: Option<&str>) -> Option<jiff::Timestamp> {
    let v: serde_json::Value = serde_json::from_str(data?).ok()?;
    v["previous_due"].as_str()?.parse().ok()
}

fn event_detail(data: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(data?).ok()?;
    let step = v["step"].as_str()?;
    Some(match v["agency"].as_str() {
        Some(a) => format!("{step} · {a}"),
        None => step.to_string(),
    })
}
