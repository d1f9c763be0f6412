//! One way in for every change to a dossier. A use case lets the domain decide, then hands
//! the event to [`App::record`]: it appends the event with the dossier's new state and runs,
//! in the same transaction, every reaction registered at start-up ([`REACTIONS`]) that the
//! event calls for — the process step, the result signatures, a correction's new result, the
//! citizen's document store, the registry records of a filing, the national portal sync, the
//! applicant's notices, the Decision 766 fold. A new reaction is added here, once; no call
//! site picks its side effects by hand. What the reactions need is read by [`App::before`]
//! before the transaction begins (it may hold no second connection).

use std::future::Future;
use std::pin::Pin;

use motcua_domain::dossier::Action;
use motcua_domain::{DossierState, EventKind, Role};
use motcua_store::{
    AgencyKeyRow, AttachmentRow, DossierPatch, DossierRow, NewEventRecord, RegistryRecordRow, Tx,
};

use crate::notices::Applicant;
use crate::process::ProcessChange;
use crate::{App, CurrentUser, ProcedureView, Result};

/// One change to a dossier: its event and what its reactions act on.
pub(crate) struct Change<'a> {
    pub d: &'a DossierRow,
    pub kind: EventKind,
    pub record: NewEventRecord,
    pub patch: DossierPatch,
    /// The state after the change.
    pub to: DossierState,
    pub actor: Option<(&'a CurrentUser, Role)>,
    pub reason: Option<&'a str>,
    /// The dossier's code after the change (a submission gives one).
    pub code: Option<&'a str>,
    pub process: Option<&'a ProcessChange>,
    /// The agency's key, when the change signs the results (approval).
    pub signer: Option<&'a AgencyKeyRow>,
    /// Components fetched from registries for a filing.
    pub fetched: &'a [RegistryRecordRow],
    /// A leader's corrected result.
    pub corrected: Option<&'a super::correction::Corrected>,
}

/// What the reactions of a change need, read before its transaction.
#[derive(Default)]
pub(crate) struct Before {
    pub procedure: Option<ProcedureView>,
    pub applicant: Option<Applicant>,
    pub attachments: Vec<AttachmentRow>,
    pub paid_online: bool,
}

/// What a reaction needs read for an event of some kind.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Needs {
    pub procedure: bool,
    pub applicant: bool,
    pub attachments: bool,
    pub payments: bool,
}

impl Needs {
    fn or(self, o: Needs) -> Needs {
        Needs {
            procedure: self.procedure || o.procedure,
            applicant: self.applicant || o.applicant,
            attachments: self.attachments || o.attachments,
            payments: self.payments || o.payments,
        }
    }
}

/// The event once appended.
pub(crate) struct Recorded<'a> {
    pub change: &'a Change<'a>,
    pub before: &'a Before,
    pub seq: i64,
}

type Reacting<'a> = Pin<Box<dyn Future<Output = Result<bool>> + Send + 'a>>;

/// A side effect of dossier events, run in the event's transaction; its future answers
/// whether it queued something for the outbox (then the delivery worker is woken).
pub(crate) struct Reaction {
    pub name: &'static str,
    pub needs: fn(EventKind) -> Needs,
    pub run: for<'a> fn(&'a App, &'a mut Tx, &'a Recorded<'a>) -> Reacting<'a>,
}

fn needs_nothing(_: EventKind) -> Needs {
    Needs::default()
}

fn acted(kind: EventKind, actions: &[Action]) -> bool {
    matches!(kind, EventKind::Acted(a) if actions.contains(&a))
}

/// Every reaction, in the order they run.
pub(crate) const REACTIONS: &[Reaction] = &[
    Reaction {
        name: "process step",
        needs: needs_nothing,
        run: |_, tx, r| {
            Box::pin(async move {
                if let Some(change) = r.change.process {
                    tx.save_process_instance(&change.instance, &change.tasks)
                        .await?;
                }
                Ok(false)
            })
        },
    },
    Reaction {
        name: "result signatures",
        needs: |kind| Needs {
            attachments: acted(kind, &[Action::Approve]),
            ..Needs::default()
        },
        run: |app, tx, r| {
            Box::pin(async move {
                if let Some(key) = r.change.signer {
                    let at = r.change.record.at;
                    app.sign_results(tx, r.change.d, &r.before.attachments, key, at)
                        .await?;
                }
                Ok(false)
            })
        },
    },
    Reaction {
        name: "corrected result",
        needs: needs_nothing,
        run: |app, tx, r| {
            Box::pin(async move {
                if let (Some(corrected), Some((user, _))) = (r.change.corrected, r.change.actor) {
                    let at = r.change.record.at;
                    app.record_correction(tx, user, r.change.d, corrected, r.seq, at)
                        .await?;
                }
                Ok(false)
            })
        },
    },
    Reaction {
        name: "citizen's document store",
        needs: |kind| {
            let keeps = acted(kind, &[Action::Receive, Action::ReturnResult]);
            Needs {
                attachments: keeps,
                procedure: keeps,
                ..Needs::default()
            }
        },
        run: |app, tx, r| {
            Box::pin(async move {
                if let (EventKind::Acted(action), Some(p)) = (r.change.kind, &r.before.procedure) {
                    let (d, at) = (r.change.d, r.change.record.at);
                    app.keep_documents(tx, d, p, &r.before.attachments, action, at)
                        .await?;
                }
                Ok(false)
            })
        },
    },
    Reaction {
        name: "registry records of a filing",
        needs: needs_nothing,
        run: |app, tx, r| {
            Box::pin(async move {
                for record in r.change.fetched {
                    tx.insert_registry_record(&app.tenant, record).await?;
                }
                Ok(false)
            })
        },
    },
    Reaction {
        name: "national portal sync",
        needs: |kind| {
            let syncs = matches!(kind, EventKind::Acted(a) if a != Action::Rate);
            Needs {
                procedure: syncs,
                applicant: syncs,
                payments: syncs,
                ..Needs::default()
            }
        },
        run: |app, tx, r| {
            Box::pin(async move {
                let (EventKind::Acted(action), Some(p)) = (r.change.kind, &r.before.procedure)
                else {
                    return Ok(false);
                };
                let c = r.change;
                let synced = crate::portal::Synced {
                    action,
                    seq: r.seq,
                    to: c.to,
                    at: c.record.at,
                    actor: c.actor.map(|(_, role)| role).unwrap_or(Role::Citizen),
                    reason: c.reason,
                    code: c.code,
                    patch: &c.patch,
                    paid_online: r.before.paid_online,
                };
                app.queue_portal(tx, c.d, p, r.before.applicant.as_ref(), synced)
                    .await
            })
        },
    },
    Reaction {
        name: "applicant's notices",
        needs: |kind| {
            let tells = motcua_domain::notice::tells_applicant(kind);
            Needs {
                procedure: tells,
                applicant: tells,
                ..Needs::default()
            }
        },
        run: |app, tx, r| {
            Box::pin(async move {
                let Some(p) = &r.before.procedure else {
                    return Ok(false);
                };
                let c = r.change;
                let told = crate::notices::Told {
                    kind: c.kind,
                    seq: r.seq,
                    code: c.code,
                    reason: c.reason,
                    due_at: c.patch.due_at.or(c.d.due_at),
                };
                app.queue_notices(tx, c.d, p, r.before.applicant.as_ref(), told)
                    .await
            })
        },
    },
    Reaction {
        name: "Decision 766 fold",
        needs: needs_nothing,
        run: |_, tx, r| {
            Box::pin(async move {
                let c = r.change;
                // Never received (received_at is never cleared): counted nowhere yet.
                let counted = c.d.received_at.is_some() || c.patch.received_at.is_some();
                if counted && !matches!(c.kind, EventKind::Created | EventKind::FormUpdated) {
                    tx.refresh_dossier_index(&c.d.id).await?;
                }
                Ok(false)
            })
        },
    },
];

impl App {
    /// Reads what the reactions to an event of `kind` on `d` need, before the transaction.
    pub(crate) async fn before(&self, d: &DossierRow, kind: EventKind) -> Result<Before> {
        let needs = self
            .reactions
            .iter()
            .fold(Needs::default(), |n, r| n.or((r.needs)(kind)));
        let applicant = if needs.applicant {
            self.applicant_for_outside(d).await?
        } else {
            None
        };
        let paid_online = needs.payments
            && applicant.is_some()
            && self.notifier.portal.is_some()
            && self
                .db
                .payments_of_dossier(&d.id)
                .await?
                .iter()
                .any(|p| p.status == "paid");
        Ok(Before {
            procedure: match needs.procedure {
                true => Some(self.procedure_of(d).await?),
                false => None,
            },
            applicant,
            attachments: match needs.attachments {
                true => self.db.attachments(&d.id).await?,
                false => Vec::new(),
            },
            paid_online,
        })
    }

    /// Appends the change's event with the dossier's new state and runs its reactions, in
    /// `tx`. Answers the event's number and whether the outbox has something new (wake the
    /// notifier after the commit).
    pub(crate) async fn record(
        &self,
        tx: &mut Tx,
        change: &Change<'_>,
        before: &Before,
    ) -> Result<(i64, bool)> {
        let d = change.d;
        // Its public status is read again once the change is committed.
        for code in [d.code.as_deref(), change.code].into_iter().flatten() {
            let (statuses, code) = (self.statuses.clone(), code.to_string());
            tx.after_commit(move || statuses.forget(&code));
        }
        let seq = tx
            .append_event(
                &d.id,
                d.last_seq,
                &d.last_hash,
                &change.record,
                &change.patch,
            )
            .await?;
        let recorded = Recorded {
            change,
            before,
            seq,
        };
        let mut queued = false;
        for reaction in self.reactions.iter() {
            let outcome = (reaction.run)(self, tx, &recorded).await;
            queued |= outcome.inspect_err(|_| {
                tracing::warn!(
                    reaction = reaction.name,
                    "reaction failed: the change is not written"
                );
            })?;
        }
        Ok((seq, queued))
    }
}

/// The record of an event the system itself writes (a fee paid, a refund, a step overdue):
/// no person acted, the state stays.
pub(crate) fn system_record(
    d: &DossierRow,
    kind: EventKind,
    at: i64,
    data: serde_json::Value,
) -> NewEventRecord {
    NewEventRecord {
        at,
        actor_id: "system".into(),
        actor_role: "system".into(),
        kind: kind.as_str().into(),
        from_state: Some(d.state.clone()),
        to_state: d.state.clone(),
        reason: None,
        data: Some(data.to_string()),
    }
}

impl<'a> Change<'a> {
    /// A change that only records `record` (no new state, no process step, no signature):
    /// a file attached, a fee paid or given back, a step done.
    pub(crate) fn plain(d: &'a DossierRow, kind: EventKind, record: NewEventRecord) -> Self {
        let to = DossierState::parse(&d.state).unwrap_or(DossierState::Draft);
        Change {
            d,
            kind,
            record,
            patch: DossierPatch::default(),
            to,
            actor: None,
            reason: None,
            code: None,
            process: None,
            signer: None,
            fetched: &[],
            corrected: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(kind: EventKind) -> Needs {
        REACTIONS
            .iter()
            .fold(Needs::default(), |n, r| n.or((r.needs)(kind)))
    }

    #[test]
    fn each_event_reads_only_what_its_reactions_need() {
        let receive = needs(EventKind::Acted(Action::Receive));
        assert!(receive.procedure && receive.applicant && receive.attachments && receive.payments);
        let approve = needs(EventKind::Acted(Action::Approve));
        assert!(approve.attachments, "signatures need the result files");
        let rate = needs(EventKind::Acted(Action::Rate));
        assert!(
            !rate.payments && !rate.attachments,
            "a rating is not synced: {rate:?}"
        );
        let paid = needs(EventKind::FeePaid);
        assert!(
            paid.procedure && paid.applicant && !paid.attachments,
            "told: {paid:?}"
        );
        for quiet in [
            EventKind::FileAttached,
            EventKind::StepCompleted,
            EventKind::FormUpdated,
        ] {
            let n = needs(quiet);
            assert!(
                !(n.procedure || n.applicant || n.attachments || n.payments),
                "{quiet:?} reads nothing before its transaction: {n:?}"
            );
        }
    }

    #[test]
    fn reactions_are_registered_once_each() {
        let mut names: Vec<&str> = REACTIONS.iter().map(|r| r.name).collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all);
        assert_eq!(
            REACTIONS.last().map(|r| r.name),
            Some("Decision 766 fold"),
            "the fold sees every other reaction's writes"
        );
    }
}
