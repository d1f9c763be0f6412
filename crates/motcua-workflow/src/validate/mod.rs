//! Whether a [`Document`] can run: one executable process, supported elements only, no dangling
//! flows, no unreachable nodes, no cycles without a way out, no joins that can deadlock, no
//! gateway whose conditions may all fail without a default, conditions that parse.
//!
//! The checks come in three tiers. The first looks at each element on its own and at the flows
//! between them (always run). When the graph is whole (every flow joins two nodes of one scope,
//! one start event per scope, every node has its flows), the second follows the flows: nodes the
//! start cannot reach, cycles no end can be reached from. When that is clean too, the third plays
//! the token game over every reachable marking (bounded) to find joins that wait forever, tokens
//! that pile up, and states from which the process can never finish. Each tier stays quiet when
//! the one before found something, so a problem is reported once, at its cause.
//!
//! The tiers live in `structure` and `conditions` (first), `graph` (second) and `soundness`
//! (third); `process` indexes a process once for all of them, `words` phrases their messages.

mod conditions;
mod graph;
mod process;
mod soundness;
mod structure;
mod words;

use crate::model::{Document, Process};
use crate::parse::parse_document;
use process::ProcessCheck;
use serde::Serialize;
use soundness::TokenGame;
use std::collections::{HashMap, HashSet};
use words::unsupported_message;

/// Roles a user task may have.
pub const ROLES: &[&str] = &["intake", "specialist", "leader"];
/// Dossier actions that complete a user task.
pub const USER_TASK_ACTIONS: &[&str] = &["appraise", "approve"];
/// Actions of service tasks.
pub const SERVICE_TASK_ACTIONS: &[&str] = &["notify_applicant", "notify_assignee", "escalate"];
/// The token game stops after this many markings (and says so).
pub const MAX_MARKINGS: usize = 20_000;
/// More tokens than this on one flow or step: the branches are not synchronised.
pub const MAX_TOKENS_PER_PLACE: u8 = 3;
/// The token game also stops after copying this many bytes of markings (many tokens at once).
const MAX_WORK: usize = 30_000_000;
/// Non-interrupting timers per step that the token game tells apart (each fires once).
const MAX_TIMER_BITS: usize = 4;

/// One thing wrong with a file, in Vietnamese, with where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub line: u32,
    pub element: Option<String>,
    pub message: String,
}

/// Every problem of the document (empty: it runs), sorted by line.
pub fn check(doc: &Document) -> Vec<Problem> {
    let mut out = Problems::default();
    for u in &doc.unsupported {
        out.push(
            u.line,
            u.id.as_deref(),
            unsupported_message(&u.element, u.id.as_deref(), u.line),
        );
    }
    duplicate_ids(doc, &mut out);
    let running: Vec<&Process> = doc
        .processes
        .iter()
        .filter(|p| !p.nodes.is_empty())
        .collect();
    match running.as_slice() {
        [] => {
            let line = doc.processes.first().map_or(1, |p| p.line);
            let message = if doc.processes.is_empty() {
                "Tệp không có quy trình nào (process) để chạy".to_owned()
            } else {
                "Tệp không có quy trình nào chạy được: không process nào chứa sự kiện, bước hay cổng \
                 được hỗ trợ"
                    .to_owned()
            };
            out.push(line, None, message);
        }
        [_] => {}
        [_, rest @ ..] => {
            let ids: Vec<String> = running
                .iter()
                .map(|p| format!("{} (dòng {})", p.id, p.line))
                .collect();
            for p in rest {
                out.push(
                    p.line,
                    Some(&p.id),
                    format!(
                        "Tệp có nhiều quy trình có nút luồng ({}): motcua chỉ chạy một quy trình mỗi tệp, \
                         hãy tách thành nhiều tệp",
                        ids.join(", ")
                    ),
                );
            }
        }
    }
    let unsupported: HashSet<&str> = doc
        .unsupported
        .iter()
        .filter_map(|u| u.id.as_deref())
        .collect();
    for p in running {
        ProcessCheck::new(doc, p, &unsupported).run(&mut out);
    }
    let mut problems = out.0;
    problems.sort_by_key(|p| p.line);
    problems
}

/// Parses, checks and returns the one process to run.
pub fn executable(xml: &str) -> Result<Process, Vec<Problem>> {
    let doc = parse_document(xml).map_err(|e| {
        vec![Problem {
            line: e.line,
            element: None,
            message: format!("{}, dòng {}", e.message, e.line),
        }]
    })?;
    let problems = check(&doc);
    if !problems.is_empty() {
        return Err(problems);
    }
    doc.processes
        .into_iter()
        .find(|p| !p.nodes.is_empty())
        .ok_or_else(|| {
            vec![Problem {
                line: 1,
                element: None,
                message: "Tệp không có quy trình nào để chạy".into(),
            }]
        })
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, line: u32, element: Option<&str>, message: String) {
        self.0.push(Problem {
            line,
            element: element.map(str::to_owned),
            message,
        });
    }
}

fn duplicate_ids(doc: &Document, out: &mut Problems) {
    let mut first: HashMap<&str, u32> = HashMap::new();
    for e in &doc.elements {
        match first.get(e.id.as_str()) {
            Some(line) => out.push(
                e.line,
                Some(&e.id),
                format!(
                    "Mã {} được dùng cho nhiều phần tử (dòng {} và dòng {})",
                    e.id, line, e.line
                ),
            ),
            None => {
                first.insert(&e.id, e.line);
            }
        }
    }
}

impl ProcessCheck<'_> {
    /// The tiers in order, each only when the one before found the graph sound.
    fn run(mut self, out: &mut Problems) {
        self.flows(out);
        self.parents(out);
        self.nodes(out);
        self.conditions(out);
        self.scopes(out);
        if !self.whole {
            return;
        }
        if !self.reachable(out) {
            return;
        }
        if !self.ends_reachable(out) {
            return;
        }
        TokenGame::new(&self).explore(&self, out);
    }
}
