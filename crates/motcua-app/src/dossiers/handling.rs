//! Acting on a dossier: every change is decided by the domain rules and written as an event
//! together with the new state, in one transaction.

use super::*;

/// What an action brings besides its command, written in its transaction.
#[derive(Default)]
pub(super) struct Extra {
    /// Components fetched from registries for a filing.
    pub fetched: Vec<motcua_store::RegistryRecordRow>,
    /// The corrected result, for a correction.
    pub corrected: Option<super::correction::Corrected>,
    /// A draft not yet stored, written first in the same transaction (filing and submitting
    /// in one request: one commit for both).
    pub create: Option<super::filing::Draft>,
}

impl App {
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
    pub(super) async fn apply(
        &self,
        user: &CurrentUser,
        d: DossierRow,
        cmd: &Command,
    ) -> Result<String> {
        self.apply_with(user, d, cmd, Extra::default()).await
    }

    /// [`App::apply`], also writing what the action brings: the components fetched from
    /// registries for a filing, the corrected result for a correction.
    pub(super) async fn apply_with(
        &self,
        user: &CurrentUser,
        d: DossierRow,
        cmd: &Command,
        extra: Extra,
    ) -> Result<String> {
        let ev = dossier::decide(self.facts(&d)?, user.role, relation(user, &d), cmd)?;
        if cmd.action.carries_result_file() && extra.corrected.is_none() {
            return Err(AppError::invalid_field(
                "file",
                "Vui lòng đính kèm tệp kết quả đính chính.",
            ));
        }
        let now = now_micros();
        let kind = EventKind::Acted(cmd.action);
        // Everything the transaction needs is read before it begins (it may hold no second
        // connection); what changes meanwhile bumps the dossier's sequence, and the append
        // then refuses with a conflict.
        let before = self.before(&d, kind).await?;
        let procedure = match &before.procedure {
            Some(p) => p.clone(),
            None => self.procedure_of(&d).await?,
        };
        let process = self
            .process_for_action(&d, &procedure, cmd.action, now)
            .await?;
        let mut patch = DossierPatch {
            state: Some(ev.to.as_str().into()),
            ..Default::default()
        };
        let mut data = None;
        let signer = match cmd.action {
            Action::Approve => Some(self.signing_key(&d.agency_id).await?),
            _ => None,
        };
        // A submission's number for the day, taken before the transaction where the backend
        // wants it so (see `Db::reserve_code_sequence`).
        let code_day = calendar::local_date(ts(now));
        let reserved = match cmd.action {
            Action::Submit if d.code.is_none() => {
                let day = code_day.strftime("%y%m%d").to_string();
                self.db.reserve_code_sequence(&d.agency_id, &day).await?
            }
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        if let Some(draft) = &extra.create {
            tx.create_dossier(&self.tenant, &draft.dossier, &draft.created)
                .await?;
        }
        let mut code = d.code.clone();
        match cmd.action {
            Action::Submit => {
                let agency = self
                    .catalog()
                    .agency(&d.agency_id)
                    .map(|a| a.code.clone())
                    .ok_or(AppError::NotFound)?;
                let seq = match reserved {
                    Some(seq) => seq,
                    None => {
                        let day = code_day.strftime("%y%m%d").to_string();
                        tx.next_code_sequence(&d.agency_id, &day).await?
                    }
                };
                let new_code = code::dossier_code(&agency, code_day, seq as u32);
                data = Some(json!({"code": new_code}));
                patch.code = Some(new_code.clone());
                patch.submitted_at = Some(now);
                code = Some(new_code);
            }
            Action::Receive => {
                let p = &procedure;
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
            Action::CorrectResult => {
                data = extra.corrected.as_ref().map(super::correction::event_data);
            }
            _ => {}
        }
        if let Some(change) = &process {
            let mut merged = data.unwrap_or_else(|| json!({}));
            merged["process"] = change.effects.clone();
            data = Some(merged);
        }
        let change = super::funnel::Change {
            d: &d,
            kind,
            record: record(user, &ev, now, data),
            patch,
            to: ev.to,
            actor: Some((user, user.role)),
            reason: ev.reason.as_deref(),
            code: code.as_deref(),
            process: process.as_ref(),
            signer: signer.as_ref(),
            fetched: &extra.fetched,
            corrected: extra.corrected.as_ref(),
        };
        let (_, queued) = self.record(&mut tx, &change, &before).await?;
        tx.commit().await?;
        if queued {
            self.wake_notifier();
        }
        Ok(code.unwrap_or_default())
    }
}
