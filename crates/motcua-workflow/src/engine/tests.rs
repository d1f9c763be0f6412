//! The engine on small processes built by hand: sequences, forks and joins, sub-processes,
//! timers, rewinds.

use super::*;
use crate::model::{Budget, Node, NodeKind, Process, SequenceFlow, UserTask};

struct TestEnv {
    now: i64,
    data: serde_json::Value,
}

/// One working day is 1,000 µs here: simple arithmetic, enough to order deadlines.
impl Env for TestEnv {
    fn now(&self) -> i64 {
        self.now
    }
    fn due_after(&self, from: i64, working_days: f64) -> i64 {
        from + (working_days * 1000.0) as i64
    }
    fn legal_days(&self) -> f64 {
        10.0
    }
    fn data(&self) -> &serde_json::Value {
        &self.data
    }
}

fn env(now: i64) -> TestEnv {
    TestEnv {
        now,
        data: serde_json::json!({}),
    }
}

/// Builds a process from a compact description: nodes `(id, kind)` and flows `(source, target)`.
struct Builder {
    p: Process,
}

impl Builder {
    fn new() -> Self {
        Builder {
            p: Process {
                id: "P".into(),
                ..Default::default()
            },
        }
    }
    fn node(mut self, id: &str, kind: NodeKind) -> Self {
        self.p.nodes.push(Node {
            id: id.into(),
            name: id.into(),
            kind,
            line: 1,
            parent: None,
        });
        self
    }
    fn inside(mut self, parent: &str, id: &str, kind: NodeKind) -> Self {
        self = self.node(id, kind);
        if let Some(n) = self.p.nodes.last_mut() {
            n.parent = Some(parent.into());
        }
        self
    }
    fn task(self, id: &str, days: Option<f64>) -> Self {
        self.node(
            id,
            NodeKind::UserTask(UserTask {
                role: Some("specialist".into()),
                budget: days.map(Budget::Days),
                ..Default::default()
            }),
        )
    }
    fn flow(mut self, source: &str, target: &str) -> Self {
        let id = format!("{source}->{target}");
        self.p.flows.push(SequenceFlow {
            id,
            name: String::new(),
            source: source.into(),
            target: target.into(),
            condition: None,
            line: 1,
        });
        self
    }
    fn engine(self) -> Engine {
        Engine::new(self.p).unwrap()
    }
}

fn current(engine: &Engine, i: &Instance) -> Vec<String> {
    let mut v: Vec<String> = engine.current_tasks(i).map(|t| t.node.clone()).collect();
    v.sort();
    v
}

fn sequence() -> Engine {
    Builder::new()
        .node("start", NodeKind::StartEvent)
        .task("a", Some(2.0))
        .task("b", None)
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "a")
        .flow("a", "b")
        .flow("b", "end")
        .engine()
}

#[test]
fn a_sequence_waits_at_each_task_in_turn_and_ends() {
    let e = sequence();
    let (mut i, fx) = e.start(&env(100)).unwrap();
    assert_eq!(current(&e, &i), ["a"]);
    assert_eq!(
        fx,
        [Effect::TaskStarted {
            node: "a".into(),
            token: 0,
            due: Some(2100)
        }]
    );
    assert_eq!(
        e.complete(&mut i, "b", &env(200)),
        Err(EngineError::NotActive("b".into()))
    );
    e.complete(&mut i, "a", &env(200)).unwrap();
    assert_eq!(current(&e, &i), ["b"]);
    let fx = e.complete(&mut i, "b", &env(300)).unwrap();
    assert!(i.ended);
    assert!(i.tokens.is_empty());
    assert_eq!(fx.last(), Some(&Effect::Ended));
    assert_eq!(e.complete(&mut i, "b", &env(400)), Err(EngineError::Ended));
}

#[test]
fn an_instance_survives_a_round_trip_through_json() {
    let e = sequence();
    let (mut i, _) = e.start(&env(0)).unwrap();
    let stored = serde_json::to_string(&i).unwrap();
    let mut back: Instance = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, i);
    e.complete(&mut back, "a", &env(1)).unwrap();
    e.complete(&mut i, "a", &env(1)).unwrap();
    assert_eq!(back, i);
}

fn consultation() -> Engine {
    Builder::new()
        .node("start", NodeKind::StartEvent)
        .task("check", None)
        .node("fork", NodeKind::ParallelGateway)
        .task("police", Some(3.0))
        .task("health", Some(1.0))
        .node("join", NodeKind::ParallelGateway)
        .task("appraise", None)
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "check")
        .flow("check", "fork")
        .flow("fork", "police")
        .flow("fork", "health")
        .flow("police", "join")
        .flow("health", "join")
        .flow("join", "appraise")
        .flow("appraise", "end")
        .engine()
}

#[test]
fn a_parallel_consultation_waits_for_every_answer() {
    let e = consultation();
    let (mut i, _) = e.start(&env(0)).unwrap();
    let fx = e.complete(&mut i, "check", &env(10)).unwrap();
    assert_eq!(current(&e, &i), ["health", "police"]);
    let dues: Vec<_> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::TaskStarted { node, due, .. } => Some((node.as_str(), *due)),
            _ => None,
        })
        .collect();
    assert_eq!(dues, [("police", Some(3010)), ("health", Some(1010))]);
    e.complete(&mut i, "health", &env(20)).unwrap();
    assert_eq!(current(&e, &i), ["police"], "the join waits for the police");
    e.complete(&mut i, "police", &env(30)).unwrap();
    assert_eq!(current(&e, &i), ["appraise"]);
    assert!(
        i.tokens.iter().all(|t| t.via.is_none()),
        "no token left at the join"
    );
}

#[test]
fn a_non_interrupting_timer_escalates_and_the_task_stays() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .task("a", Some(2.0))
        .node(
            "late",
            NodeKind::BoundaryTimer {
                attached_to: "a".into(),
                interrupting: false,
                duration: None,
            },
        )
        .node(
            "escalate",
            NodeKind::ServiceTask {
                action: Some("escalate".into()),
            },
        )
        .node("end_late", NodeKind::EndEvent { terminate: false })
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "a")
        .flow("a", "end")
        .flow("late", "escalate")
        .flow("escalate", "end_late")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    assert_eq!(
        Engine::next_timer(&i),
        Some(2000),
        "the budget arms the timer"
    );
    assert!(e.fire_due(&mut i, &env(1999)).unwrap().is_empty());
    let fx = e.fire_due(&mut i, &env(2000)).unwrap();
    assert!(fx.contains(&Effect::ServiceCalled {
        node: "escalate".into(),
        action: "escalate".into()
    }));
    assert_eq!(current(&e, &i), ["a"]);
    assert!(
        !i.ended,
        "the escalation path ending does not end the process"
    );
    assert_eq!(Engine::next_timer(&i), None, "a timer fires once");
    e.complete(&mut i, "a", &env(3000)).unwrap();
    assert!(i.ended);
}

#[test]
fn an_interrupting_timer_takes_the_task_away() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .task("a", None)
        .node(
            "late",
            NodeKind::BoundaryTimer {
                attached_to: "a".into(),
                interrupting: true,
                duration: Some("P1D".into()),
            },
        )
        .task("leader", None)
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "a")
        .flow("a", "end")
        .flow("late", "leader")
        .flow("leader", "end")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    let fx = e.fire_due(&mut i, &env(5000)).unwrap();
    assert!(fx.contains(&Effect::TaskCancelled {
        node: "a".into(),
        token: 0
    }));
    assert_eq!(current(&e, &i), ["leader"]);
}

#[test]
fn completing_a_task_disarms_its_timers() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .task("a", Some(1.0))
        .node(
            "late",
            NodeKind::BoundaryTimer {
                attached_to: "a".into(),
                interrupting: false,
                duration: None,
            },
        )
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "a")
        .flow("a", "end")
        .flow("late", "end")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    e.complete(&mut i, "a", &env(10)).unwrap();
    assert!(i.timers.is_empty());
    assert!(e.fire_due(&mut i, &env(99_999)).unwrap().is_empty());
}

#[test]
fn a_sub_process_runs_inside_and_continues_outside() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .node("sub", NodeKind::SubProcess)
        .inside("sub", "s_start", NodeKind::StartEvent)
        .inside("sub", "s_task", NodeKind::UserTask(UserTask::default()))
        .inside("sub", "s_end", NodeKind::EndEvent { terminate: false })
        .task("after", None)
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "sub")
        .flow("s_start", "s_task")
        .flow("s_task", "s_end")
        .flow("sub", "after")
        .flow("after", "end")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    assert_eq!(current(&e, &i), ["s_task"]);
    e.complete(&mut i, "s_task", &env(1)).unwrap();
    assert_eq!(current(&e, &i), ["after"]);
    assert_eq!(i.tokens.len(), 1, "the sub-process token is gone");
}

#[test]
fn an_inclusive_join_waits_only_for_branches_that_were_taken() {
    // No conditions: the inclusive split takes both branches; one ends early through a
    // terminate-free path and the join waits for the other.
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .node("split", NodeKind::InclusiveGateway { default: None })
        .task("x", None)
        .task("y", None)
        .node("join", NodeKind::InclusiveGateway { default: None })
        .task("z", None)
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "split")
        .flow("split", "x")
        .flow("split", "y")
        .flow("x", "join")
        .flow("y", "join")
        .flow("join", "z")
        .flow("z", "end")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    assert_eq!(current(&e, &i), ["x", "y"]);
    e.complete(&mut i, "x", &env(1)).unwrap();
    assert_eq!(current(&e, &i), ["y"], "y can still reach the join");
    e.complete(&mut i, "y", &env(2)).unwrap();
    assert_eq!(current(&e, &i), ["z"]);
    assert_eq!(i.tokens.len(), 1);
}

#[test]
fn a_terminate_end_takes_every_other_token_off() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .node("fork", NodeKind::ParallelGateway)
        .task("x", None)
        .task("y", None)
        .node("stop", NodeKind::EndEvent { terminate: true })
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "fork")
        .flow("fork", "x")
        .flow("fork", "y")
        .flow("x", "stop")
        .flow("y", "end")
        .engine();
    let (mut i, _) = e.start(&env(0)).unwrap();
    let fx = e.complete(&mut i, "x", &env(1)).unwrap();
    assert!(fx.contains(&Effect::TaskCancelled {
        node: "y".into(),
        token: 1
    }));
    assert!(i.ended);
}

#[test]
fn a_rewind_puts_the_dossier_back_at_an_earlier_step() {
    let e = consultation();
    let (mut i, _) = e.start(&env(0)).unwrap();
    for t in ["check", "police", "health", "appraise"] {
        if t == "appraise" {
            let fx = e.rewind(&mut i, "check", &env(5)).unwrap();
            assert!(fx.contains(&Effect::TaskCancelled {
                node: "appraise".into(),
                token: 5
            }));
            assert_eq!(current(&e, &i), ["check"]);
        } else {
            e.complete(&mut i, t, &env(1)).unwrap();
        }
    }
}

#[test]
fn a_loop_without_a_wait_is_stopped() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .node(
            "s1",
            NodeKind::ServiceTask {
                action: Some("notify_assignee".into()),
            },
        )
        .node(
            "s2",
            NodeKind::ServiceTask {
                action: Some("notify_assignee".into()),
            },
        )
        .flow("start", "s1")
        .flow("s1", "s2")
        .flow("s2", "s1")
        .engine();
    assert_eq!(
        e.start(&env(0)).err(),
        Some(EngineError::Runaway(MAX_STEPS))
    );
}

#[test]
fn a_share_budget_is_a_share_of_the_legal_time() {
    let e = Builder::new()
        .node("start", NodeKind::StartEvent)
        .node(
            "a",
            NodeKind::UserTask(UserTask {
                budget: Some(Budget::Share(0.25)),
                ..Default::default()
            }),
        )
        .node("end", NodeKind::EndEvent { terminate: false })
        .flow("start", "a")
        .flow("a", "end")
        .engine();
    let (i, _) = e.start(&env(0)).unwrap();
    assert_eq!(i.tokens[0].due, Some(2500), "a quarter of 10 days");
}
