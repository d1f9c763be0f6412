//! Each procedure's internal process (BPMN), run by `motcua-workflow` for every received dossier.
//! The engine's instance is saved in the dossier's own transaction; its effects go into the
//! event's data, so the history shows every step, answer and escalation.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::Action;
use motcua_domain::{DossierState, Role};
use motcua_store::{DossierRow, ProcessDefinitionRow, ProcessInstanceRow, ProcessTaskRow};
use motcua_workflow::engine::{Effect, Engine, Env, Instance};
use motcua_workflow::{Document, NodeKind, Problem, Process};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::dossiers::funnel::Change;
use crate::views::ts;
use crate::{App, AppError, CurrentUser, ProcedureView, Result, new_id, now_micros};

/// Minutes in one working day (07:00–11:30 and 13:30–17:00).
const WORKING_DAY_MINUTES: f64 = 480.0;
/// Largest BPMN file accepted.
pub const MAX_BPMN_BYTES: usize = 2 * 1024 * 1024;

/// A process version ready to run and to draw.
#[derive(Debug)]
pub struct ProcessModel {
    pub definition_id: String,
    pub procedure_code: String,
    pub version: i64,
    pub document: Document,
    pub engine: Engine,
}

/// Loaded process versions by definition id; versions never change once stored.
pub(crate) type ModelCache = Arc<RwLock<HashMap<String, Arc<ProcessModel>>>>;

/// Reads, checks and prepares a BPMN file; the problems, with their lines, if it cannot run.
pub fn prepare(xml: &str) -> std::result::Result<(Document, Process), Vec<Problem>> {
    let document = motcua_workflow::parse_document(xml).map_err(|e| {
        vec![Problem {
            line: e.line,
            element: None,
            message: e.to_string(),
        }]
    })?;
    let problems = motcua_workflow::check(&document);
    if !problems.is_empty() {
        return Err(problems);
    }
    let process = document
        .processes
        .iter()
        .find(|p| !p.nodes.is_empty())
        .cloned()
        .ok_or_else(|| {
            vec![Problem {
                line: 0,
                element: None,
                message: "Tệp không có quy trình nào để chạy.".into(),
            }]
        })?;
    Ok((document, process))
}

/// What the engine sees of the world: the calendar, the legal time, the dossier's data.
struct DossierEnv {
    now: i64,
    calendar: Arc<Calendar>,
    legal_days: f64,
    data: serde_json::Value,
}

impl Env for DossierEnv {
    fn now(&self) -> i64 {
        self.now
    }
    fn due_after(&self, from: i64, working_days: f64) -> i64 {
        let minutes = (working_days.max(0.0) * WORKING_DAY_MINUTES).round() as i64;
        self.calendar
            .add_working_minutes(ts(from), minutes)
            .as_microsecond()
    }
    fn legal_days(&self) -> f64 {
        self.legal_days
    }
    fn data(&self) -> &serde_json::Value {
        &self.data
    }
}

/// A change to a dossier's process, written with its event.
pub(crate) struct ProcessChange {
    pub instance: ProcessInstanceRow,
    pub tasks: Vec<ProcessTaskRow>,
    /// The effects, for the event's data.
    pub effects: serde_json::Value,
}

/// A waiting step as shown to officials.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub node: String,
    pub name: String,
    pub role_label: &'static str,
    /// The consulted agency, for a consultation step.
    pub agency_name: Option<String>,
    pub since: jiff::Timestamp,
    pub due_at: Option<jiff::Timestamp>,
    pub overdue: bool,
    /// The viewer may complete this step (or give this opinion) now.
    pub can_complete: bool,
    /// Completing it means giving an opinion (a consultation).
    pub is_consultation: bool,
    /// Completed by this dossier action instead of a step button.
    pub action_label: Option<&'static str>,
}

/// A dossier's process as shown on its page.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessView {
    pub name: String,
    pub version: i64,
    pub ended: bool,
    pub steps: Vec<StepView>,
    /// The drawing with the current steps highlighted (no BPMN DI: `None`).
    pub svg: Option<String>,
}

/// One stored version of a procedure's process, for administrators.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessVersionView {
    pub version: i64,
    pub name: String,
    pub sha256: String,
    pub created_at: jiff::Timestamp,
    pub running_dossiers: i64,
}

/// The role a BPMN lane or task names.
pub(crate) fn role_of(name: Option<&str>) -> Role {
    match name {
        Some("intake") => Role::IntakeOfficer,
        Some("leader") => Role::Leader,
        _ => Role::Specialist,
    }
}

/// A node's name as people read it; its id when the analyst gave none.
fn shown_name(node: &motcua_workflow::Node) -> String {
    if node.name.is_empty() {
        node.id.clone()
    } else {
        node.name.clone()
    }
}

/// Whether `user`'s agency is the one a waiting step names: the consulted agency, else the
/// agency handling the dossier.
fn agency_matches(user: &CurrentUser, d: &DossierRow, task: &ProcessTaskRow) -> bool {
    let agency = task.agency_id.as_deref().unwrap_or(d.agency_id.as_str());
    user.agency_id.as_deref() == Some(agency)
}

fn effects_json(model: &ProcessModel, effects: &[Effect]) -> serde_json::Value {
    let name = |id: &str| {
        model
            .engine
            .node(id)
            .map(|n| {
                if n.name.is_empty() {
                    n.id.clone()
                } else {
                    n.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    };
    let list: Vec<serde_json::Value> = effects
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            let node = match e {
                Effect::TaskStarted { node, .. }
                | Effect::TaskCompleted { node, .. }
                | Effect::TaskCancelled { node, .. }
                | Effect::ServiceCalled { node, .. } => Some(node.as_str()),
                Effect::TimerFired { attached_to, .. } => Some(attached_to.as_str()),
                Effect::Ended => None,
            };
            if let (Some(n), Some(obj)) = (node, v.as_object_mut()) {
                obj.insert("name".into(), json!(name(n)));
            }
            v
        })
        .collect();
    json!({"version": model.version, "effects": list})
}

impl App {
    /// The process version `definition_id`, parsed once and kept.
    pub(crate) async fn process_model(&self, definition_id: &str) -> Result<Arc<ProcessModel>> {
        if let Some(m) = self
            .processes
            .read()
            .ok()
            .and_then(|c| c.get(definition_id).cloned())
        {
            return Ok(m);
        }
        let row = self
            .db
            .process_definition(&self.tenant, definition_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let model = Arc::new(model_of(&row)?);
        if let Ok(mut c) = self.processes.write() {
            c.insert(row.id.clone(), model.clone());
        }
        Ok(model)
    }

    fn env_for(&self, d: &DossierRow, p: &ProcedureView, now: i64) -> Result<DossierEnv> {
        let mut data = serde_json::Map::new();
        for (k, v) in self.form_of(d)? {
            data.insert(k, json!(v));
        }
        data.insert("fee_vnd".into(), json!(p.fee_vnd));
        data.insert("channel".into(), json!(d.channel));
        data.insert("procedure_code".into(), json!(p.code));
        Ok(DossierEnv {
            now,
            calendar: self.calendar(),
            legal_days: p.legal_working_days,
            data: serde_json::Value::Object(data),
        })
    }

    /// The agency a consultation lane names: the one with that catalog key, or for a commune
    /// agency, the one of the dossier's own commune.
    fn consulted_agency(&self, d: &DossierRow, key: &str) -> Option<String> {
        let catalog = self.catalog();
        if let Some(a) = catalog.agencies.iter().find(|a| a.catalog_key == key) {
            return Some(a.id.clone());
        }
        let commune = catalog.agency(&d.agency_id)?.commune_code?;
        let wanted = format!("{key}:{commune}");
        catalog
            .agencies
            .iter()
            .find(|a| a.catalog_key == wanted)
            .map(|a| a.id.clone())
    }

    fn change(
        &self,
        model: &ProcessModel,
        d: &DossierRow,
        instance: &Instance,
        effects: &[Effect],
        now: i64,
    ) -> Result<ProcessChange> {
        let tasks = model
            .engine
            .current_tasks(instance)
            .filter_map(|t| {
                let node = model.engine.node(&t.node)?;
                let NodeKind::UserTask(task) = &node.kind else {
                    return None;
                };
                Some(ProcessTaskRow {
                    dossier_id: d.id.clone(),
                    token: t.id as i64,
                    node_id: node.id.clone(),
                    name: shown_name(node),
                    role: role_of(task.role.as_deref()).as_str().into(),
                    agency_id: task
                        .agency
                        .as_deref()
                        .and_then(|k| self.consulted_agency(d, k)),
                    since: t.since,
                    due_at: t.due,
                })
            })
            .collect();
        Ok(ProcessChange {
            instance: ProcessInstanceRow {
                dossier_id: d.id.clone(),
                definition_id: model.definition_id.clone(),
                state: serde_json::to_string(instance)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                ended: instance.ended,
                next_timer_at: Engine::next_timer(instance),
                updated_at: now,
            },
            tasks,
            effects: effects_json(model, effects),
        })
    }

    /// The dossier's instance and its model, if it has one.
    async fn instance_of(
        &self,
        d: &DossierRow,
    ) -> Result<Option<(Arc<ProcessModel>, Instance, bool)>> {
        let Some(row) = self.db.process_instance(&d.id).await? else {
            return Ok(None);
        };
        let model = self.process_model(&row.definition_id).await?;
        let instance: Instance = serde_json::from_str(&row.state)
            .map_err(|e| AppError::Internal(format!("process instance: {e}")))?;
        Ok(Some((model, instance, row.ended)))
    }

    /// What the action does to the dossier's process: receiving starts it, appraisal and
    /// approval complete the steps bound to them (and are refused before their step), sending
    /// back returns to the appraisal step, refusing or stopping ends it.
    pub(crate) async fn process_for_action(
        &self,
        d: &DossierRow,
        p: &ProcedureView,
        action: Action,
        now: i64,
    ) -> Result<Option<ProcessChange>> {
        use Action as A;
        let concerned = [
            A::Receive,
            A::Appraise,
            A::Approve,
            A::SendBack,
            A::Refuse,
            A::Withdraw,
            A::StopProcessing,
        ];
        if !concerned.contains(&action) {
            return Ok(None);
        }
        let existing = self.instance_of(d).await?;
        let running = existing
            .as_ref()
            .is_some_and(|(_, i, ended)| !ended && !i.ended);
        match action {
            Action::Receive if running => Ok(None),
            Action::Receive => {
                let Some(def) = self
                    .db
                    .process_definitions(&self.tenant, &p.code)
                    .await?
                    .into_iter()
                    .next()
                else {
                    return Ok(None);
                };
                let model = self.process_model(&def.id).await?;
                let env = self.env_for(d, p, now)?;
                let (instance, effects) = model.engine.start(&env).map_err(step_error)?;
                self.change(&model, d, &instance, &effects, now).map(Some)
            }
            Action::Appraise | Action::Approve | Action::SendBack if running => {
                let Some((model, mut instance, _)) = existing else {
                    return Ok(None);
                };
                let bound = |a: Action| {
                    model.engine.process().nodes.iter().filter(move |n| {
                        matches!(&n.kind, NodeKind::UserTask(t) if t.action.as_deref() == Some(a.as_str()))
                    })
                };
                let env = self.env_for(d, p, now)?;
                let effects = if action == Action::SendBack {
                    let Some(target) = bound(Action::Appraise).next() else {
                        return Ok(None);
                    };
                    model
                        .engine
                        .rewind(&mut instance, &target.id, &env)
                        .map_err(step_error)?
                } else {
                    if bound(action).next().is_none() {
                        return Ok(None);
                    }
                    let active = model
                        .engine
                        .current_tasks(&instance)
                        .find(|t| bound(action).any(|n| n.id == t.node))
                        .map(|t| t.node.clone());
                    let Some(node) = active else {
                        let waiting: Vec<String> = model
                            .engine
                            .current_tasks(&instance)
                            .filter_map(|t| model.engine.node(&t.node))
                            .map(|n| format!("«{}»", n.name))
                            .collect();
                        return Err(AppError::Step(format!(
                            "Chưa đến bước «{}» trong quy trình nội bộ. Đang chờ: {}.",
                            action.label(),
                            if waiting.is_empty() {
                                "không bước nào".into()
                            } else {
                                waiting.join(", ")
                            }
                        )));
                    };
                    model
                        .engine
                        .complete(&mut instance, &node, &env)
                        .map_err(step_error)?
                };
                self.change(&model, d, &instance, &effects, now).map(Some)
            }
            Action::Refuse | Action::Withdraw | Action::StopProcessing if running => {
                let Some((model, mut instance, _)) = existing else {
                    return Ok(None);
                };
                let effects = model.engine.stop(&mut instance);
                self.change(&model, d, &instance, &effects, now).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Whether `user` is an official of an agency consulted on this dossier right now.
    pub(crate) async fn is_consulted(&self, user: &CurrentUser, d: &DossierRow) -> Result<bool> {
        let Some(agency) = user.agency_id.as_deref() else {
            return Ok(false);
        };
        if !user.role.is_official() || d.agency_id == agency {
            return Ok(false);
        }
        Ok(self
            .db
            .process_tasks(&d.id)
            .await?
            .iter()
            .any(|t| t.agency_id.as_deref() == Some(agency)))
    }

    /// The process of a dossier as its viewer (an official of the handling or a consulted
    /// agency) sees it, with the drawing.
    pub async fn dossier_process(
        &self,
        user: &CurrentUser,
        dossier_id: &str,
    ) -> Result<Option<ProcessView>> {
        let d = self.visible_dossier(user, dossier_id).await?;
        self.process_view(user, &d, true).await
    }

    /// `with_svg`: also draw it (the dossier's JSON leaves the drawing out).
    pub(crate) async fn process_view(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        with_svg: bool,
    ) -> Result<Option<ProcessView>> {
        if !user.role.is_official() {
            return Err(AppError::NotFound);
        }
        let Some((model, instance, ended)) = self.instance_of(d).await? else {
            return Ok(None);
        };
        let state = crate::dossiers::state_of(d)?;
        let tasks = self.db.process_tasks(&d.id).await?;
        let now = jiff::Timestamp::now();
        let catalog = self.catalog();
        let steps = tasks
            .iter()
            .map(|t| {
                let task = model.engine.user_task(&t.node_id);
                let action = task
                    .and_then(|u| u.action.as_deref())
                    .and_then(Action::parse);
                let role = Role::parse(&t.role).unwrap_or(Role::Specialist);
                let mine = agency_matches(user, d, t);
                StepView {
                    node: t.node_id.clone(),
                    name: t.name.clone(),
                    role_label: role.label(),
                    agency_name: t
                        .agency_id
                        .as_deref()
                        .and_then(|a| catalog.agency(a))
                        .map(|a| a.name.clone()),
                    since: ts(t.since),
                    due_at: t.due_at.map(ts),
                    overdue: t.due_at.is_some_and(|due| ts(due) < now),
                    can_complete: mine
                        && action.is_none()
                        && user.role == role
                        && state == DossierState::Received,
                    is_consultation: t.agency_id.is_some(),
                    action_label: action.map(Action::label),
                }
            })
            .collect();
        let current: Vec<&str> = tasks.iter().map(|t| t.node_id.as_str()).collect();
        let svg = with_svg
            .then(|| motcua_workflow::svg::render(&model.document, &current).ok())
            .flatten();
        Ok(Some(ProcessView {
            name: model.engine.process().name.clone(),
            version: model.version,
            ended: ended || instance.ended,
            steps,
            svg,
        }))
    }

    /// Completes an internal step, or gives a consulted agency's opinion (`note` required).
    /// Returns whether it was an opinion.
    pub async fn complete_step(
        &self,
        user: &CurrentUser,
        dossier_id: &str,
        node: &str,
        note: Option<&str>,
    ) -> Result<bool> {
        if !user.role.is_official() {
            return Err(AppError::NotFound);
        }
        let d = self.visible_dossier(user, dossier_id).await?;
        let Some((model, mut instance, ended)) = self.instance_of(&d).await? else {
            return Err(AppError::Step(
                "Hồ sơ này không có quy trình nội bộ.".into(),
            ));
        };
        let tasks = self.db.process_tasks(&d.id).await?;
        let Some(task) = tasks.iter().find(|t| t.node_id == node) else {
            return Err(AppError::Step(
                "Bước này không phải bước đang chờ xử lý của hồ sơ.".into(),
            ));
        };
        if !agency_matches(user, &d, task) || Role::parse(&task.role) != Some(user.role) {
            return Err(AppError::Forbidden(format!(
                "Bước «{}» do {} thực hiện.",
                task.name,
                Role::parse(&task.role)
                    .map(Role::label)
                    .unwrap_or("người khác")
            )));
        }
        if ended || crate::dossiers::state_of(&d)? != DossierState::Received {
            return Err(AppError::Step(
                "Hồ sơ không ở trạng thái đang xử lý nên chưa thể hoàn thành bước này.".into(),
            ));
        }
        if let Some(a) = model
            .engine
            .user_task(node)
            .and_then(|t| t.action.as_deref())
            .and_then(Action::parse)
        {
            return Err(AppError::Step(format!(
                "Bước này hoàn thành bằng thao tác «{}».",
                a.label()
            )));
        }
        let consultation = task.agency_id.is_some();
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if consultation && note.is_none() {
            return Err(AppError::Invalid {
                message: "Vui lòng nhập ý kiến của cơ quan.".into(),
                fields: [("note".to_string(), "Vui lòng nhập ý kiến.".to_string())].into(),
            });
        }
        let note = note.map(|n| {
            n.chars()
                .take(motcua_domain::dossier::MAX_REASON_CHARS)
                .collect::<String>()
        });
        let p = self.procedure_of(&d).await?;
        let now = now_micros();
        let env = self.env_for(&d, &p, now)?;
        let effects = model
            .engine
            .complete(&mut instance, node, &env)
            .map_err(step_error)?;
        let change = self.change(&model, &d, &instance, &effects, now)?;
        let state = crate::dossiers::state_of(&d)?;
        let kind = if consultation {
            motcua_domain::EventKind::OpinionGiven
        } else {
            motcua_domain::EventKind::StepCompleted
        };
        let mut ev = motcua_domain::NewEvent::unchanged(kind, state);
        ev.reason = note;
        let mut data = json!({"step": task.name, "node": node, "process": change.effects});
        if let Some(a) = task
            .agency_id
            .as_deref()
            .and_then(|a| self.catalog().agency(a).cloned())
        {
            data["agency"] = json!(a.name);
        }
        let recorded = Change {
            process: Some(&change),
            actor: Some((user, user.role)),
            reason: ev.reason.as_deref(),
            ..Change::plain(
                &d,
                kind,
                crate::dossiers::record(user, &ev, now, Some(data)),
            )
        };
        let before = self.before(&d, kind).await?;
        let mut tx = self.db.begin().await?;
        let (_, queued) = self.record(&mut tx, &recorded, &before).await?;
        tx.commit().await?;
        if queued {
            self.wake_notifier();
        }
        Ok(consultation)
    }

    /// Fires the process timers due at `now` (steps past their budget): each firing is an event
    /// in the dossier's history. Returns how many dossiers were touched.
    pub async fn fire_process_timers(&self, now: i64) -> Result<usize> {
        let due = self.db.process_timers_due(now, 500).await?;
        let mut done = 0;
        for id in due {
            let Some(d) = self.db.dossier(&self.tenant, &id).await? else {
                continue;
            };
            let Some((model, mut instance, _)) = self.instance_of(&d).await? else {
                continue;
            };
            let p = self.procedure_of(&d).await?;
            let env = self.env_for(&d, &p, now)?;
            let effects = model
                .engine
                .fire_due(&mut instance, &env)
                .map_err(step_error)?;
            let change = self.change(&model, &d, &instance, &effects, now)?;
            let late: Vec<String> = effects
                .iter()
                .filter_map(|e| match e {
                    Effect::TimerFired { attached_to, .. } => model.engine.node(attached_to),
                    _ => None,
                })
                .map(|n| n.name.clone())
                .collect();
            let kind = motcua_domain::EventKind::StepOverdue;
            let before = self.before(&d, kind).await?;
            let mut tx = self.db.begin().await?;
            if late.is_empty() {
                // Only the timers moved: no event to tell of.
                tx.save_process_instance(&change.instance, &change.tasks)
                    .await?;
            } else {
                let data = json!({"step": late.join(", "), "process": change.effects});
                let record = crate::dossiers::funnel::system_record(&d, kind, now, data);
                let overdue = Change {
                    process: Some(&change),
                    ..Change::plain(&d, kind, record)
                };
                self.record(&mut tx, &overdue, &before).await?;
            }
            tx.commit().await?;
            done += 1;
        }
        Ok(done)
    }

    fn require_admin(user: &CurrentUser) -> Result<()> {
        if user.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Chỉ quản trị hệ thống được quản lý quy trình.".into(),
            ))
        }
    }

    /// Every version of a procedure's process, newest first, and the newest as a drawing.
    pub async fn procedure_processes(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
    ) -> Result<(Vec<ProcessVersionView>, Option<String>)> {
        Self::require_admin(user)?;
        self.catalog()
            .procedure(procedure_code)
            .ok_or(AppError::NotFound)?;
        let rows = self
            .db
            .process_definitions(&self.tenant, procedure_code)
            .await?;
        let svg = match rows.first() {
            Some(r) => {
                motcua_workflow::svg::render(&self.process_model(&r.id).await?.document, &[]).ok()
            }
            None => None,
        };
        let mut versions = Vec::new();
        for r in rows {
            versions.push(ProcessVersionView {
                running_dossiers: self.db.running_instances_of(&r.id).await?,
                version: r.version,
                name: r.name,
                sha256: r.sha256,
                created_at: ts(r.created_at),
            });
        }
        Ok((versions, svg))
    }

    /// Stores a new version of a procedure's process if the file can run; running dossiers keep
    /// theirs. Returns the new version number.
    pub async fn upload_process(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        bpmn: &[u8],
    ) -> Result<i64> {
        Self::require_admin(user)?;
        self.catalog()
            .procedure(procedure_code)
            .ok_or(AppError::NotFound)?;
        if bpmn.len() > MAX_BPMN_BYTES {
            return Err(AppError::invalid("Tệp BPMN quá lớn (tối đa 2 MB)."));
        }
        let xml = std::str::from_utf8(bpmn)
            .map_err(|_| AppError::invalid("Tệp BPMN phải là văn bản UTF-8."))?;
        let (_, process) = prepare(xml).map_err(problems_error)?;
        let latest = self
            .db
            .process_definitions(&self.tenant, procedure_code)
            .await?
            .first()
            .map_or(0, |r| r.version);
        let row = definition_row(procedure_code, latest + 1, &process, xml, Some(&user.id));
        let mut tx = self.db.begin().await?;
        tx.insert_process_definition(&self.tenant, &row).await?;
        tx.commit().await?;
        Ok(row.version)
    }
}

/// A new stored version of a process file.
pub(crate) fn definition_row(
    procedure_code: &str,
    version: i64,
    process: &Process,
    xml: &str,
    uploaded_by: Option<&str>,
) -> ProcessDefinitionRow {
    ProcessDefinitionRow {
        id: new_id(),
        procedure_code: procedure_code.into(),
        version,
        name: if process.name.is_empty() {
            process.id.clone()
        } else {
            process.name.clone()
        },
        bpmn: xml.into(),
        sha256: hex::encode(Sha256::digest(xml.as_bytes())),
        uploaded_by: uploaded_by.map(str::to_string),
        created_at: now_micros(),
    }
}

fn model_of(row: &ProcessDefinitionRow) -> Result<ProcessModel> {
    let (document, process) = prepare(&row.bpmn).map_err(|p| {
        AppError::Internal(format!(
            "stored process {} no longer passes its checks: {}",
            row.id,
            p.first().map(|x| x.message.as_str()).unwrap_or("")
        ))
    })?;
    Ok(ProcessModel {
        definition_id: row.id.clone(),
        procedure_code: row.procedure_code.clone(),
        version: row.version,
        engine: Engine::new(process).map_err(step_error)?,
        document,
    })
}

fn step_error(e: motcua_workflow::engine::EngineError) -> AppError {
    AppError::Step(e.to_string())
}

/// The validator's findings as a form error, one line each.
pub fn problems_error(problems: Vec<Problem>) -> AppError {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            if p.line > 0 {
                format!("Dòng {}: {}", p.line, p.message)
            } else {
                p.message.clone()
            }
        })
        .collect();
    AppError::Invalid {
        message: "Tệp quy trình chưa dùng được.".into(),
        fields: [("bpmn".to_string(), lines.join("\n"))].into(),
    }
}
