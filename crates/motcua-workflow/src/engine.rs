//! Runs a [`Process`] as tokens. An [`Instance`] is plain data (serde), stored with the dossier
//! and changed only by [`Engine`] calls that return what happened as [`Effect`]s, so the caller
//! records them in the same transaction as the dossier's event. The engine has no clock and no
//! calendar: the [`Env`] gives the instant, the working-day arithmetic and the dossier's data.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::expr::Expr;
use crate::model::{Budget, Node, NodeKind, Process, UserTask};

/// What the engine needs from its caller.
pub trait Env {
    /// Now, in microseconds since the Unix epoch.
    fn now(&self) -> i64;
    /// The instant `working_days` after `from`, in the calendar of the agency.
    fn due_after(&self, from: i64, working_days: f64) -> i64;
    /// The procedure's legal time in working days: what a `share` budget is a share of.
    fn legal_days(&self) -> f64;
    /// The dossier's data the gateway conditions read.
    fn data(&self) -> &serde_json::Value;
}

/// Why the engine refused a call; nothing was changed that the caller keeps.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EngineError {
    #[error("Quy trình không có phần tử {0}.")]
    UnknownNode(String),
    #[error("Quy trình không có điểm bắt đầu ở {0}.")]
    NoStart(String),
    #[error("Điều kiện trên luồng {flow} không hợp lệ: {message}")]
    BadCondition { flow: String, message: String },
    #[error("Bước {0} không phải bước đang chờ xử lý.")]
    NotActive(String),
    #[error("Cổng {0}: không điều kiện nào đúng và không có nhánh mặc định.")]
    NoPath(String),
    #[error("Quy trình chạy quá {0} bước liền mà không dừng ở bước nào: có vòng lặp không lối ra.")]
    Runaway(usize),
    #[error("Quy trình đã kết thúc.")]
    Ended,
}

/// A token: where the instance is waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub id: u64,
    /// The user task, sub-process or joining gateway it waits at.
    pub node: String,
    /// The sub-process token this one runs inside; `None` at the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<u64>,
    /// For a token waiting at a join: the flow it came by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub since: i64,
    /// The step's deadline, from its budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
}

/// A boundary timer armed on a waiting token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    pub boundary: String,
    pub token: u64,
    pub due: i64,
}

/// One running process: its tokens and timers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub tokens: Vec<Token>,
    pub timers: Vec<Timer>,
    pub next_id: u64,
    pub ended: bool,
}

/// What a call did, for the dossier's history and for the system's own actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    TaskStarted {
        node: String,
        token: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        due: Option<i64>,
    },
    TaskCompleted {
        node: String,
        token: u64,
    },
    /// Taken off by an interrupting timer, a terminate end event or a rewind.
    TaskCancelled {
        node: String,
        token: u64,
    },
    /// A service task ran: the caller carries out `action`.
    ServiceCalled {
        node: String,
        action: String,
    },
    TimerFired {
        boundary: String,
        attached_to: String,
        interrupting: bool,
    },
    Ended,
}

/// Longest run of steps one call may take before it is called a runaway loop.
const MAX_STEPS: usize = 10_000;

/// A process made ready to run: indexes, compiled conditions, reachability for inclusive joins.
#[derive(Debug, Clone)]
pub struct Engine {
    process: Process,
    index: HashMap<String, usize>,
    /// For each node, its outgoing flows (indexes into `process.flows`), in file order.
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    flow_target: Vec<usize>,
    conditions: Vec<Option<Expr>>,
    /// For each node, the boundary timers attached to it.
    boundaries: Vec<Vec<usize>>,
    /// The start event of each scope: `None` = top level, else the sub-process node.
    starts: HashMap<Option<usize>, usize>,
    /// `reach[a][b]`: a token at `a` can still get to `b`.
    reach: Vec<Vec<bool>>,
}

/// One unit of work inside a call: a token arriving at a node.
struct Arrival {
    node: usize,
    scope: Option<u64>,
    via: Option<usize>,
}

impl Engine {
    /// Prepares `process` to run; fails on what the validator would also refuse.
    pub fn new(process: Process) -> Result<Self, EngineError> {
        let index: HashMap<String, usize> = process
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        let lookup = |id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| EngineError::UnknownNode(id.to_string()))
        };
        let n = process.nodes.len();
        let mut outgoing = vec![Vec::new(); n];
        let mut incoming = vec![Vec::new(); n];
        let mut flow_target = Vec::with_capacity(process.flows.len());
        let mut conditions = Vec::with_capacity(process.flows.len());
        for (f, flow) in process.flows.iter().enumerate() {
            let (s, t) = (lookup(&flow.source)?, lookup(&flow.target)?);
            outgoing[s].push(f);
            incoming[t].push(f);
            flow_target.push(t);
            let cond = match flow.condition.as_deref().map(str::trim) {
                Some(text) if !text.is_empty() => {
                    Some(Expr::parse(text).map_err(|e| EngineError::BadCondition {
                        flow: flow.id.clone(),
                        message: e.to_string(),
                    })?)
                }
                _ => None,
            };
            conditions.push(cond);
        }
        let mut boundaries = vec![Vec::new(); n];
        let mut starts = HashMap::new();
        for (i, node) in process.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::BoundaryTimer { attached_to, .. } => {
                    boundaries[lookup(attached_to)?].push(i)
                }
                NodeKind::StartEvent => {
                    let scope = node.parent.as_deref().map(lookup).transpose()?;
                    starts.entry(scope).or_insert(i);
                }
                _ => {}
            }
        }
        if !starts.contains_key(&None) {
            return Err(EngineError::NoStart(process.id.clone()));
        }
        let reach = reachability(&outgoing, &flow_target, &boundaries);
        Ok(Engine {
            process,
            index,
            outgoing,
            incoming,
            flow_target,
            conditions,
            boundaries,
            starts,
            reach,
        })
    }

    pub fn process(&self) -> &Process {
        &self.process
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).and_then(|&i| self.process.nodes.get(i))
    }

    /// The user task `id`, if it is one.
    pub fn user_task(&self, id: &str) -> Option<&UserTask> {
        match &self.node(id)?.kind {
            NodeKind::UserTask(t) => Some(t),
            _ => None,
        }
    }

    fn is_user_task(&self, id: &str) -> bool {
        self.user_task(id).is_some()
    }

    /// A new instance, run up to its first waiting steps.
    pub fn start(&self, env: &dyn Env) -> Result<(Instance, Vec<Effect>), EngineError> {
        let mut instance = Instance::default();
        let start = *self
            .starts
            .get(&None)
            .ok_or_else(|| EngineError::NoStart(self.process.id.clone()))?;
        let mut effects = Vec::new();
        let mut work = VecDeque::from([Arrival {
            node: start,
            scope: None,
            via: None,
        }]);
        self.run(&mut instance, &mut work, env, &mut effects)?;
        Ok((instance, effects))
    }

    /// The tokens waiting at user tasks: the current steps.
    pub fn current_tasks<'a>(
        &'a self,
        instance: &'a Instance,
    ) -> impl Iterator<Item = &'a Token> + 'a {
        instance
            .tokens
            .iter()
            .filter(|t| t.via.is_none() && self.is_user_task(&t.node))
    }

    /// Completes the waiting user task `node` (its oldest token) and runs on.
    pub fn complete(
        &self,
        instance: &mut Instance,
        node: &str,
        env: &dyn Env,
    ) -> Result<Vec<Effect>, EngineError> {
        if instance.ended {
            return Err(EngineError::Ended);
        }
        let at = self.index_of(node)?;
        let pos = instance
            .tokens
            .iter()
            .position(|t| t.node == node && t.via.is_none() && self.is_user_task(node))
            .ok_or_else(|| EngineError::NotActive(node.to_string()))?;
        let token = instance.tokens.remove(pos);
        instance.timers.retain(|t| t.token != token.id);
        let mut effects = vec![Effect::TaskCompleted {
            node: token.node,
            token: token.id,
        }];
        let mut work = self.leave(at, token.scope);
        self.run(instance, &mut work, env, &mut effects)?;
        Ok(effects)
    }

    /// The earliest armed timer, for the caller's scheduler.
    pub fn next_timer(instance: &Instance) -> Option<i64> {
        instance.timers.iter().map(|t| t.due).min()
    }

    /// Fires every timer due at `env.now()`, earliest first, and runs on.
    pub fn fire_due(
        &self,
        instance: &mut Instance,
        env: &dyn Env,
    ) -> Result<Vec<Effect>, EngineError> {
        let now = env.now();
        let mut effects = Vec::new();
        while let Some(pos) = instance
            .timers
            .iter()
            .enumerate()
            .filter(|(_, t)| t.due <= now)
            .min_by_key(|(_, t)| t.due)
            .map(|(i, _)| i)
        {
            let timer = instance.timers.remove(pos);
            let b = self.index_of(&timer.boundary)?;
            let NodeKind::BoundaryTimer {
                attached_to,
                interrupting,
                ..
            } = &self.process.nodes[b].kind
            else {
                continue;
            };
            let Some(scope) = instance
                .tokens
                .iter()
                .find(|t| t.id == timer.token)
                .map(|t| t.scope)
            else {
                continue;
            };
            effects.push(Effect::TimerFired {
                boundary: timer.boundary,
                attached_to: attached_to.clone(),
                interrupting: *interrupting,
            });
            if *interrupting {
                self.cancel_token(instance, timer.token, &mut effects);
            }
            let mut work = self.leave(b, scope);
            self.run(instance, &mut work, env, &mut effects)?;
        }
        Ok(effects)
    }

    /// Takes every token off and starts again at `node` (a leader sending the dossier back to
    /// an earlier step).
    pub fn rewind(
        &self,
        instance: &mut Instance,
        node: &str,
        env: &dyn Env,
    ) -> Result<Vec<Effect>, EngineError> {
        let target = self.index_of(node)?;
        let mut effects = Vec::new();
        let ids: Vec<u64> = instance.tokens.iter().map(|t| t.id).collect();
        for id in ids {
            self.cancel_token(instance, id, &mut effects);
        }
        instance.ended = false;
        // Re-enter the sub-processes that contain the target, outermost first.
        let mut chain = Vec::new();
        let mut parent = self.process.nodes[target].parent.as_deref();
        while let Some(p) = parent {
            let i = self.index_of(p)?;
            if chain.contains(&i) || chain.len() > self.process.nodes.len() {
                break;
            }
            chain.push(i);
            parent = self.process.nodes[i].parent.as_deref();
        }
        let mut scope = None;
        for &sub in chain.iter().rev() {
            scope = Some(self.wait_at(instance, sub, scope, None, env, &mut effects));
        }
        let mut work = VecDeque::from([Arrival {
            node: target,
            scope,
            via: None,
        }]);
        self.run(instance, &mut work, env, &mut effects)?;
        Ok(effects)
    }

    /// Ends the instance at once, every waiting step cancelled (the dossier was refused,
    /// withdrawn or its processing stopped).
    pub fn stop(&self, instance: &mut Instance) -> Vec<Effect> {
        let mut effects = Vec::new();
        let ids: Vec<u64> = instance.tokens.iter().map(|t| t.id).collect();
        for id in ids {
            self.cancel_token(instance, id, &mut effects);
        }
        instance.timers.clear();
        instance.ended = true;
        effects.push(Effect::Ended);
        effects
    }

    fn index_of(&self, id: &str) -> Result<usize, EngineError> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| EngineError::UnknownNode(id.to_string()))
    }

    /// Arrivals at the targets of every outgoing flow of `node`.
    fn leave(&self, node: usize, scope: Option<u64>) -> VecDeque<Arrival> {
        self.outgoing[node]
            .iter()
            .map(|&f| Arrival {
                node: self.flow_target[f],
                scope,
                via: Some(f),
            })
            .collect()
    }

    fn run(
        &self,
        instance: &mut Instance,
        work: &mut VecDeque<Arrival>,
        env: &dyn Env,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let mut steps = 0;
        loop {
            while let Some(a) = work.pop_front() {
                steps += 1;
                if steps > MAX_STEPS {
                    return Err(EngineError::Runaway(MAX_STEPS));
                }
                self.arrive(instance, a, work, env, effects)?;
            }
            // Inclusive joins fire once nothing else of their scope can still reach them.
            let Some((gw, scope)) = self.ready_inclusive_join(instance) else {
                return Ok(());
            };
            let id = &self.process.nodes[gw].id;
            instance
                .tokens
                .retain(|t| !(t.via.is_some() && &t.node == id && t.scope == scope));
            work.extend(self.leave(gw, scope));
        }
    }

    fn arrive(
        &self,
        instance: &mut Instance,
        a: Arrival,
        work: &mut VecDeque<Arrival>,
        env: &dyn Env,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let node = &self.process.nodes[a.node];
        let joins = self.incoming[a.node].len() > 1;
        match &node.kind {
            NodeKind::StartEvent | NodeKind::BoundaryTimer { .. } => {
                work.extend(self.leave(a.node, a.scope))
            }
            NodeKind::ServiceTask { action } => {
                effects.push(Effect::ServiceCalled {
                    node: node.id.clone(),
                    action: action.clone().unwrap_or_default(),
                });
                work.extend(self.leave(a.node, a.scope));
            }
            NodeKind::UserTask(_) => {
                self.wait_at(instance, a.node, a.scope, None, env, effects);
            }
            NodeKind::SubProcess => {
                let token = self.wait_at(instance, a.node, a.scope, None, env, effects);
                let start = *self
                    .starts
                    .get(&Some(a.node))
                    .ok_or_else(|| EngineError::NoStart(node.id.clone()))?;
                work.push_back(Arrival {
                    node: start,
                    scope: Some(token),
                    via: None,
                });
            }
            NodeKind::EndEvent { terminate } => {
                if *terminate {
                    let ids: Vec<u64> = instance
                        .tokens
                        .iter()
                        .filter(|t| t.scope == a.scope)
                        .map(|t| t.id)
                        .collect();
                    for id in ids {
                        self.cancel_token(instance, id, effects);
                    }
                    work.retain(|w| w.scope != a.scope);
                }
                let busy = instance.tokens.iter().any(|t| t.scope == a.scope)
                    || work.iter().any(|w| w.scope == a.scope);
                if !busy {
                    match a.scope {
                        None => {
                            instance.ended = true;
                            instance.timers.clear();
                            effects.push(Effect::Ended);
                        }
                        Some(sub) => self.finish_subprocess(instance, sub, work),
                    }
                }
            }
            NodeKind::ExclusiveGateway { default } => {
                work.extend(self.split(a.node, a.scope, default.as_deref(), true, env)?)
            }
            NodeKind::InclusiveGateway { default } if !joins => {
                work.extend(self.split(a.node, a.scope, default.as_deref(), false, env)?)
            }
            NodeKind::ParallelGateway if !joins => work.extend(self.leave(a.node, a.scope)),
            NodeKind::InclusiveGateway { .. } => {
                self.wait_at(instance, a.node, a.scope, a.via, env, effects);
            }
            NodeKind::ParallelGateway => {
                self.wait_at(instance, a.node, a.scope, a.via, env, effects);
                let waiting = |f: usize| {
                    let fid = self.process.flows[f].id.as_str();
                    instance.tokens.iter().position(|t| {
                        t.node == node.id && t.scope == a.scope && t.via.as_deref() == Some(fid)
                    })
                };
                if self.incoming[a.node].iter().all(|&f| waiting(f).is_some()) {
                    for &f in &self.incoming[a.node] {
                        let fid = self.process.flows[f].id.as_str();
                        if let Some(p) = instance.tokens.iter().position(|t| {
                            t.node == node.id && t.scope == a.scope && t.via.as_deref() == Some(fid)
                        }) {
                            instance.tokens.remove(p);
                        }
                    }
                    work.extend(self.leave(a.node, a.scope));
                }
            }
        }
        Ok(())
    }

    /// The flows a splitting exclusive (first that holds) or inclusive (all that hold) gateway
    /// takes; the default only when none holds.
    fn split(
        &self,
        gw: usize,
        scope: Option<u64>,
        default: Option<&str>,
        exclusive: bool,
        env: &dyn Env,
    ) -> Result<Vec<Arrival>, EngineError> {
        let mut chosen = Vec::new();
        let mut default_flow = None;
        for &f in &self.outgoing[gw] {
            if Some(self.process.flows[f].id.as_str()) == default {
                default_flow = Some(f);
                continue;
            }
            let holds = self.conditions[f]
                .as_ref()
                .is_none_or(|c| c.holds(env.data()));
            if holds {
                chosen.push(f);
                if exclusive {
                    break;
                }
            }
        }
        if chosen.is_empty() {
            chosen.extend(default_flow);
        }
        if chosen.is_empty() {
            return Err(EngineError::NoPath(self.process.nodes[gw].id.clone()));
        }
        Ok(chosen
            .into_iter()
            .map(|f| Arrival {
                node: self.flow_target[f],
                scope,
                via: Some(f),
            })
            .collect())
    }

    /// Puts a token to wait at `node` and returns its id; a step (not a join) gets its budget's
    /// deadline and its boundary timers.
    fn wait_at(
        &self,
        instance: &mut Instance,
        node: usize,
        scope: Option<u64>,
        via: Option<usize>,
        env: &dyn Env,
        effects: &mut Vec<Effect>,
    ) -> u64 {
        let id = instance.next_id;
        instance.next_id += 1;
        let now = env.now();
        let n = &self.process.nodes[node];
        let mut due = None;
        if via.is_none() {
            let budget = match &n.kind {
                NodeKind::UserTask(t) => t.budget.map(|b| match b {
                    Budget::Days(d) => d,
                    Budget::Share(s) => s * env.legal_days(),
                }),
                _ => None,
            };
            due = budget.map(|d| env.due_after(now, d));
            for &b in &self.boundaries[node] {
                let NodeKind::BoundaryTimer { duration, .. } = &self.process.nodes[b].kind else {
                    continue;
                };
                let at = match duration
                    .as_deref()
                    .and_then(crate::parse::duration_in_working_days)
                {
                    Some(days) => Some(env.due_after(now, days)),
                    None => due,
                };
                if let Some(at) = at {
                    instance.timers.push(Timer {
                        boundary: self.process.nodes[b].id.clone(),
                        token: id,
                        due: at,
                    });
                }
            }
            if matches!(n.kind, NodeKind::UserTask(_)) {
                effects.push(Effect::TaskStarted {
                    node: n.id.clone(),
                    token: id,
                    due,
                });
            }
        }
        instance.tokens.push(Token {
            id,
            node: n.id.clone(),
            scope,
            via: via.map(|f| self.process.flows[f].id.clone()),
            since: now,
            due,
        });
        id
    }

    /// Removes a token, its timers and, for a sub-process, everything inside it.
    fn cancel_token(&self, instance: &mut Instance, id: u64, effects: &mut Vec<Effect>) {
        let Some(pos) = instance.tokens.iter().position(|t| t.id == id) else {
            return;
        };
        let token = instance.tokens.remove(pos);
        instance.timers.retain(|t| t.token != id);
        if token.via.is_none() && self.is_user_task(&token.node) {
            effects.push(Effect::TaskCancelled {
                node: token.node,
                token: id,
            });
        }
        let inner: Vec<u64> = instance
            .tokens
            .iter()
            .filter(|t| t.scope == Some(id))
            .map(|t| t.id)
            .collect();
        for i in inner {
            self.cancel_token(instance, i, effects);
        }
    }

    /// Every token inside the sub-process is done: it continues at its parent level.
    fn finish_subprocess(&self, instance: &mut Instance, sub: u64, work: &mut VecDeque<Arrival>) {
        let Some(pos) = instance.tokens.iter().position(|t| t.id == sub) else {
            return;
        };
        let token = instance.tokens.remove(pos);
        instance.timers.retain(|t| t.token != sub);
        if let Some(&node) = self.index.get(&token.node) {
            work.extend(self.leave(node, token.scope));
        }
    }

    /// An inclusive join holding tokens that no other token of its scope can still reach.
    fn ready_inclusive_join(&self, instance: &Instance) -> Option<(usize, Option<u64>)> {
        instance
            .tokens
            .iter()
            .filter(|t| t.via.is_some())
            .filter_map(|t| {
                let gw = *self.index.get(&t.node)?;
                matches!(
                    self.process.nodes[gw].kind,
                    NodeKind::InclusiveGateway { .. }
                )
                .then_some((gw, t))
            })
            .find(|(gw, t)| {
                !instance.tokens.iter().any(|o| {
                    o.scope == t.scope
                        && o.node != t.node
                        && self
                            .index
                            .get(&o.node)
                            .is_some_and(|&on| self.reach[on][*gw])
                })
            })
            .map(|(gw, t)| (gw, t.scope))
    }
}

/// `reach[a][b]`: a token at `a` can get to `b` through flows and boundary timers.
fn reachability(
    outgoing: &[Vec<usize>],
    flow_target: &[usize],
    boundaries: &[Vec<usize>],
) -> Vec<Vec<bool>> {
    let n = outgoing.len();
    let mut reach = vec![vec![false; n]; n];
    for (from, row) in reach.iter_mut().enumerate() {
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            let next = outgoing[x]
                .iter()
                .map(|&f| flow_target[f])
                .chain(boundaries[x].iter().copied());
            for y in next {
                if !row[y] {
                    row[y] = true;
                    stack.push(y);
                }
            }
        }
    }
    reach
}

#[cfg(test)]
mod tests;
