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

use crate::expr::Expr;
use crate::model::{Budget, Document, Node, NodeKind, Process, SequenceFlow};
use crate::parse::{duration_in_working_days, parse_document};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

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

/// `Task_1 “Thẩm định” (dòng 12)`.
fn at(id: &str, name: &str, line: u32) -> String {
    // Names often carry the line breaks of their label: one line here.
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        format!("{id} (dòng {line})")
    } else {
        format!("{id} “{name}” (dòng {line})")
    }
}

fn node_at(n: &Node) -> String {
    at(&n.id, &n.name, n.line)
}

fn flow_at(f: &SequenceFlow) -> String {
    at(&f.id, &f.name, f.line)
}

/// What a node is, in Vietnamese, capitalised.
fn kind_word(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::StartEvent => "Sự kiện bắt đầu",
        NodeKind::EndEvent { .. } => "Sự kiện kết thúc",
        NodeKind::UserTask(_) => "Bước",
        NodeKind::ServiceTask { .. } => "Tác vụ tự động",
        NodeKind::ExclusiveGateway { .. } => "Cổng loại trừ",
        NodeKind::ParallelGateway => "Cổng song song",
        NodeKind::InclusiveGateway { .. } => "Cổng bao hàm",
        NodeKind::BoundaryTimer { .. } => "Bộ hẹn giờ",
        NodeKind::SubProcess => "Quy trình con",
    }
}

fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn describe(n: &Node) -> String {
    format!("{} {}", kind_word(&n.kind), node_at(n))
}

/// The message for one entry of `Document::unsupported` (see the parser for the `tag[...]` forms).
fn unsupported_message(element: &str, id: Option<&str>, line: u32) -> String {
    let of_id = id.map(|i| format!(" (id {i})")).unwrap_or_default();
    if let Some((tag, what)) = element.strip_suffix(']').and_then(|e| e.split_once('[')) {
        if what == "id=" {
            return format!("Phần tử {tag} không có id, dòng {line}");
        }
        if what == "motcua:days+motcua:share" {
            return format!(
                "{tag}{of_id} có cả motcua:days và motcua:share: chỉ được đặt một trong hai, dòng {line}"
            );
        }
        if let Some((attr, value)) = what.split_once('=') {
            let expected = match attr {
                "motcua:days" => "phải là số ngày làm việc, ví dụ 1.5",
                "motcua:share" => {
                    "phải là tỉ lệ của thời hạn luật định trong khoảng (0, 1], ví dụ 0.4"
                }
                _ => "không đọc được",
            };
            return format!(
                "Giá trị {attr}=“{value}” của {tag}{of_id} không hợp lệ: {expected}, dòng {line}"
            );
        }
        if let Some(attr) = what.strip_prefix("motcua:") {
            return format!(
                "Thuộc tính motcua:{attr} không dùng được trên {tag}{of_id}, dòng {line}"
            );
        }
    }
    format!("Phần tử không được hỗ trợ: {element}{of_id}, dòng {line}")
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

/// The checks of one process, with its nodes and flows indexed.
struct ProcessCheck<'a> {
    doc: &'a Document,
    p: &'a Process,
    unsupported: &'a HashSet<&'a str>,
    index: HashMap<&'a str, usize>,
    /// Per node, its outgoing and incoming flows (indices into `p.flows`), both ends resolved.
    outs: Vec<Vec<usize>>,
    ins: Vec<Vec<usize>>,
    /// Per flow, (source node, target node) when both resolve.
    ends: Vec<Option<(usize, usize)>>,
    /// Per node, the sub-process that contains it (when that is a sub-process of this process).
    parent: Vec<Option<usize>>,
    /// Per activity, the boundary timers validly attached to it.
    timers: Vec<Vec<usize>>,
    /// The nodes directly in each scope: the process (`None`) or a sub-process, in file order.
    members: HashMap<Option<usize>, Vec<usize>>,
    /// Whether the graph is whole enough for the flow-following checks.
    whole: bool,
}

impl<'a> ProcessCheck<'a> {
    fn new(doc: &'a Document, p: &'a Process, unsupported: &'a HashSet<&'a str>) -> Self {
        let mut index = HashMap::new();
        for (i, n) in p.nodes.iter().enumerate() {
            index.entry(n.id.as_str()).or_insert(i);
        }
        let count = p.nodes.len();
        let mut outs = vec![Vec::new(); count];
        let mut ins = vec![Vec::new(); count];
        let mut ends = Vec::with_capacity(p.flows.len());
        for (fi, f) in p.flows.iter().enumerate() {
            let source = index.get(f.source.as_str()).copied();
            let target = index.get(f.target.as_str()).copied();
            if let Some(s) = source.and_then(|s| outs.get_mut(s)) {
                s.push(fi);
            }
            if let Some(t) = target.and_then(|t| ins.get_mut(t)) {
                t.push(fi);
            }
            ends.push(source.zip(target));
        }
        let parent: Vec<Option<usize>> = p
            .nodes
            .iter()
            .map(|n| {
                n.parent
                    .as_deref()
                    .and_then(|id| index.get(id).copied())
                    .filter(|&i| {
                        matches!(p.nodes.get(i).map(|n| &n.kind), Some(NodeKind::SubProcess))
                    })
            })
            .collect();
        let mut members: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
        for (i, scope) in parent.iter().enumerate() {
            members.entry(*scope).or_default().push(i);
        }
        ProcessCheck {
            doc,
            p,
            unsupported,
            index,
            outs,
            ins,
            ends,
            parent,
            timers: vec![Vec::new(); count],
            members,
            whole: true,
        }
    }

    fn node(&self, i: usize) -> Option<&'a Node> {
        self.p.nodes.get(i)
    }

    fn flow(&self, i: usize) -> Option<&'a SequenceFlow> {
        self.p.flows.get(i)
    }

    fn kind(&self, i: usize) -> Option<&'a NodeKind> {
        self.node(i).map(|n| &n.kind)
    }

    fn outs(&self, i: usize) -> &[usize] {
        self.outs.get(i).map_or(&[], Vec::as_slice)
    }

    fn ins(&self, i: usize) -> &[usize] {
        self.ins.get(i).map_or(&[], Vec::as_slice)
    }

    fn parent(&self, i: usize) -> Option<usize> {
        self.parent.get(i).copied().flatten()
    }

    fn target(&self, f: usize) -> Option<usize> {
        self.ends.get(f).copied().flatten().map(|(_, t)| t)
    }

    /// The scope a node is in, in words: `quy trình P` or `quy trình con S`.
    fn scope_words(&self, scope: Option<usize>) -> String {
        match scope.and_then(|s| self.node(s)) {
            Some(s) => format!("quy trình con {}", s.id),
            None => format!("quy trình {}", self.p.id),
        }
    }

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

    fn flows(&mut self, out: &mut Problems) {
        for (fi, f) in self.p.flows.iter().enumerate() {
            for (end, written, verb) in [
                (&f.source, "sourceRef", "đi ra từ"),
                (&f.target, "targetRef", "đi tới"),
            ] {
                if end.is_empty() {
                    out.push(
                        f.line,
                        Some(&f.id),
                        format!("Luồng {} thiếu {written}", flow_at(f)),
                    );
                    self.whole = false;
                } else if !self.index.contains_key(end.as_str()) {
                    self.whole = false;
                    if self.unsupported.contains(end.as_str()) {
                        continue;
                    }
                    let what = match self.doc.element(end) {
                        Some(e) => format!(
                            "{} {end}, không phải một nút của quy trình {}",
                            e.tag, self.p.id
                        ),
                        None => format!("{end}, không có phần tử nào mang id này"),
                    };
                    out.push(
                        f.line,
                        Some(&f.id),
                        format!("Luồng {} {verb} {what}", flow_at(f)),
                    );
                }
            }
            if let Some(Some((s, t))) = self.ends.get(fi) {
                let (ps, pt) = (self.parent(*s), self.parent(*t));
                if ps != pt {
                    self.whole = false;
                    out.push(
                        f.line,
                        Some(&f.id),
                        format!(
                            "Luồng {} nối {} trong {} với {} trong {}: luồng không được vượt qua ranh giới quy \
                             trình con",
                            flow_at(f),
                            f.source,
                            self.scope_words(ps),
                            f.target,
                            self.scope_words(pt)
                        ),
                    );
                }
            }
        }
    }

    fn parents(&mut self, out: &mut Problems) {
        let count = self.p.nodes.len();
        for (i, n) in self.p.nodes.iter().enumerate() {
            if let Some(parent) = &n.parent
                && self.parent(i).is_none()
            {
                self.whole = false;
                out.push(
                    n.line,
                    Some(&n.id),
                    format!("{} nằm trong {parent}, nhưng {parent} không phải quy trình con của quy trình {}", describe(n), self.p.id),
                );
                continue;
            }
            // A sub-process may not contain itself.
            let mut current = self.parent(i);
            let mut steps = 0;
            while let Some(c) = current {
                steps += 1;
                if c == i || steps > count {
                    self.whole = false;
                    out.push(
                        n.line,
                        Some(&n.id),
                        format!("{} nằm trong chính nó", describe(n)),
                    );
                    break;
                }
                current = self.parent(c);
            }
        }
    }

    fn nodes(&mut self, out: &mut Problems) {
        for (i, n) in self.p.nodes.iter().enumerate() {
            let (ins, outs) = (self.ins(i).len(), self.outs(i).len());
            let what = describe(n);
            let mut structure = |message: String, whole: &mut bool| {
                *whole = false;
                out.push(n.line, Some(&n.id), message);
            };
            match &n.kind {
                NodeKind::StartEvent => {
                    if ins > 0 {
                        structure(format!("{what} không được có luồng vào"), &mut self.whole);
                    }
                    if outs == 0 {
                        structure(format!("{what} không có luồng ra"), &mut self.whole);
                    }
                }
                NodeKind::EndEvent { .. } => {
                    if outs > 0 {
                        structure(format!("{what} không được có luồng ra"), &mut self.whole);
                    }
                    if ins == 0 {
                        structure(format!("{what} không có luồng vào"), &mut self.whole);
                    }
                }
                NodeKind::BoundaryTimer { .. } => {
                    if ins > 0 {
                        structure(format!("{what} không được có luồng vào"), &mut self.whole);
                    }
                    if outs == 0 {
                        structure(
                            format!(
                                "{what} không có luồng ra: khi hết hạn hồ sơ không đi tiếp được"
                            ),
                            &mut self.whole,
                        );
                    }
                }
                _ => {
                    if ins == 0 {
                        structure(format!("{what} không có luồng vào"), &mut self.whole);
                    }
                    if outs == 0 {
                        structure(format!("{what} không có luồng ra"), &mut self.whole);
                    }
                }
            }
            match &n.kind {
                NodeKind::UserTask(task) => user_task(n, task, out),
                NodeKind::ServiceTask { action } => match action.as_deref() {
                    None => out.push(
                        n.line,
                        Some(&n.id),
                        format!(
                            "{what} thiếu motcua:action ({})",
                            SERVICE_TASK_ACTIONS.join(", ")
                        ),
                    ),
                    Some(a) if !SERVICE_TASK_ACTIONS.contains(&a) => out.push(
                        n.line,
                        Some(&n.id),
                        format!(
                            "Hành động “{a}” của {} không hợp lệ: chỉ dùng {}",
                            lower_first(&what),
                            SERVICE_TASK_ACTIONS.join(", ")
                        ),
                    ),
                    Some(_) => {}
                },
                NodeKind::BoundaryTimer {
                    attached_to,
                    duration,
                    ..
                } => {
                    self.timer(i, n, attached_to, duration.as_deref(), out);
                }
                _ => {}
            }
        }
    }

    fn timer(
        &mut self,
        i: usize,
        n: &Node,
        attached_to: &str,
        duration: Option<&str>,
        out: &mut Problems,
    ) {
        let what = describe(n);
        if let Some(d) = duration
            && !d.trim().is_empty()
            && duration_in_working_days(d).is_none()
        {
            out.push(
                n.line,
                Some(&n.id),
                format!(
                    "Thời hạn “{d}” của {} không hợp lệ: dùng thời lượng ISO 8601 như P2D, PT4H, P1DT4H hoặc P1W \
                     (không dùng tháng, năm)",
                    lower_first(&what)
                ),
            );
        }
        let only = "chỉ gắn được vào bước của người (userTask) hoặc quy trình con (subProcess)";
        if attached_to.is_empty() {
            self.whole = false;
            out.push(
                n.line,
                Some(&n.id),
                format!("{what} không gắn vào bước nào (thiếu attachedToRef)"),
            );
            return;
        }
        let Some(&a) = self.index.get(attached_to) else {
            self.whole = false;
            let message = match self.doc.element(attached_to) {
                Some(e) => format!("{what} gắn vào {} {attached_to}: {only}", e.tag),
                None => format!("{what} gắn vào {attached_to}, không có phần tử nào mang id này"),
            };
            out.push(n.line, Some(&n.id), message);
            return;
        };
        let Some(target) = self.node(a) else { return };
        if !matches!(target.kind, NodeKind::UserTask(_) | NodeKind::SubProcess) {
            self.whole = false;
            out.push(
                n.line,
                Some(&n.id),
                format!("{what} gắn vào {}: {only}", lower_first(&describe(target))),
            );
            return;
        }
        if self.parent(a) != self.parent(i) {
            self.whole = false;
            out.push(
                n.line,
                Some(&n.id),
                format!(
                    "{what} phải nằm cùng phạm vi với {} mà nó gắn vào",
                    lower_first(&describe(target))
                ),
            );
            return;
        }
        if let Some(list) = self.timers.get_mut(a) {
            list.push(i);
        }
    }

    fn conditions(&self, out: &mut Problems) {
        for (fi, f) in self.p.flows.iter().enumerate() {
            let Some(condition) = &f.condition else {
                continue;
            };
            if let Err(e) = Expr::parse(condition) {
                out.push(
                    f.line,
                    Some(&f.id),
                    format!("Điều kiện của luồng {} không hợp lệ: {e}", flow_at(f)),
                );
            }
            let source = self
                .ends
                .get(fi)
                .copied()
                .flatten()
                .map(|(s, _)| s)
                .or_else(|| self.index.get(f.source.as_str()).copied());
            if let Some(s) = source.and_then(|s| self.node(s))
                && !matches!(
                    s.kind,
                    NodeKind::ExclusiveGateway { .. } | NodeKind::InclusiveGateway { .. }
                )
            {
                out.push(
                    f.line,
                    Some(&f.id),
                    format!(
                        "Luồng {} có điều kiện nhưng đi ra từ {}: chỉ luồng ra khỏi cổng loại trừ hoặc cổng bao hàm mới \
                         được có điều kiện",
                        flow_at(f),
                        lower_first(&describe(s))
                    ),
                );
            }
        }
        for (i, n) in self.p.nodes.iter().enumerate() {
            let default = match &n.kind {
                NodeKind::ExclusiveGateway { default } | NodeKind::InclusiveGateway { default } => {
                    default.as_deref()
                }
                _ => continue,
            };
            let outs: Vec<&SequenceFlow> =
                self.outs(i).iter().filter_map(|&f| self.flow(f)).collect();
            let what = describe(n);
            let mut default_ok = false;
            if let Some(d) = default {
                match outs.iter().find(|f| f.id == d) {
                    None => out.push(
                        n.line,
                        Some(&n.id),
                        format!(
                            "Nhánh mặc định {d} của {} không phải là luồng ra của cổng",
                            lower_first(&what)
                        ),
                    ),
                    Some(f) => {
                        default_ok = true;
                        if f.condition.is_some() {
                            out.push(
                                f.line,
                                Some(&f.id),
                                format!(
                                    "Nhánh mặc định {} của {} không được có điều kiện (điều kiện của nhánh mặc định bị bỏ qua)",
                                    flow_at(f),
                                    lower_first(&what)
                                ),
                            );
                        }
                    }
                }
            }
            if outs.len() >= 2 {
                for f in &outs {
                    if f.condition.is_none() && Some(f.id.as_str()) != default {
                        out.push(
                            f.line,
                            Some(&f.id),
                            format!(
                                "Luồng {} ra khỏi {} không có điều kiện: mọi nhánh trừ nhánh mặc định phải có điều kiện",
                                flow_at(f),
                                lower_first(&what)
                            ),
                        );
                    }
                }
            }
            if !outs.is_empty() && !default_ok && outs.iter().all(|f| f.condition.is_some()) {
                out.push(
                    n.line,
                    Some(&n.id),
                    format!("{what} không có nhánh mặc định: nếu mọi điều kiện đều sai hồ sơ sẽ dừng lại"),
                );
            }
        }
    }

    /// One start event per scope, at least one end event.
    fn scopes(&mut self, out: &mut Problems) {
        let mut scopes: Vec<Option<usize>> = vec![None];
        scopes.extend(
            self.p
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| matches!(n.kind, NodeKind::SubProcess))
                .map(|(i, _)| Some(i)),
        );
        for scope in scopes {
            let inside: Vec<&Node> = self
                .members(scope)
                .iter()
                .filter_map(|&i| self.node(i))
                .collect();
            let starts: Vec<&&Node> = inside
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::StartEvent))
                .collect();
            let (line, id, name) = match scope.and_then(|s| self.node(s)) {
                Some(s) => (
                    s.line,
                    s.id.as_str(),
                    format!("Quy trình con {}", node_at(s)),
                ),
                None => (
                    self.p.line,
                    self.p.id.as_str(),
                    format!("Quy trình {}", at(&self.p.id, &self.p.name, self.p.line)),
                ),
            };
            match starts.as_slice() {
                [] => {
                    self.whole = false;
                    out.push(
                        line,
                        Some(id),
                        format!("{name} không có sự kiện bắt đầu (startEvent không kèm định nghĩa sự kiện)"),
                    );
                }
                [_] => {}
                [_, rest @ ..] => {
                    self.whole = false;
                    let all: Vec<String> = starts
                        .iter()
                        .map(|s| format!("{} dòng {}", s.id, s.line))
                        .collect();
                    for s in rest {
                        out.push(
                            s.line,
                            Some(&s.id),
                            format!(
                                "{name} có {} sự kiện bắt đầu ({}): cần đúng một",
                                starts.len(),
                                all.join(", ")
                            ),
                        );
                    }
                }
            }
            if !inside
                .iter()
                .any(|n| matches!(n.kind, NodeKind::EndEvent { .. }))
            {
                self.whole = false;
                out.push(line, Some(id), format!("{name} không có sự kiện kết thúc"));
            }
        }
    }

    fn members(&self, scope: Option<usize>) -> &[usize] {
        self.members.get(&scope).map_or(&[], Vec::as_slice)
    }

    fn start_of(&self, scope: Option<usize>) -> Option<usize> {
        self.members(scope)
            .iter()
            .copied()
            .find(|&i| matches!(self.kind(i), Some(NodeKind::StartEvent)))
    }

    /// Nodes the start cannot reach. `true` if there are none.
    fn reachable(&self, out: &mut Problems) -> bool {
        let count = self.p.nodes.len();
        let mut seen = vec![false; count];
        let mut queue: Vec<usize> = self.start_of(None).into_iter().collect();
        while let Some(i) = queue.pop() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            queue.extend(self.outs(i).iter().filter_map(|&f| self.target(f)));
            queue.extend(self.timers.get(i).into_iter().flatten().copied());
            if matches!(self.kind(i), Some(NodeKind::SubProcess)) {
                queue.extend(self.start_of(Some(i)));
            }
        }
        let mut clean = true;
        for (i, n) in self.p.nodes.iter().enumerate() {
            if seen.get(i).copied().unwrap_or(true) {
                continue;
            }
            clean = false;
            // Report the cause only: not the timers of an unreachable step, not the inside of an
            // unreachable sub-process.
            let attached_unreached = match &n.kind {
                NodeKind::BoundaryTimer { attached_to, .. } => self
                    .index
                    .get(attached_to.as_str())
                    .is_some_and(|&a| !seen.get(a).copied().unwrap_or(true)),
                _ => false,
            };
            let parent_unreached = self
                .parent(i)
                .is_some_and(|s| !seen.get(s).copied().unwrap_or(true));
            if !attached_unreached && !parent_unreached {
                out.push(
                    n.line,
                    Some(&n.id),
                    format!("{} không thể tới được từ sự kiện bắt đầu", describe(n)),
                );
            }
        }
        clean
    }

    /// Successors of a node within its scope: flow targets, then its boundary timers.
    fn successors(&self, i: usize) -> Vec<usize> {
        let mut next: Vec<usize> = self
            .outs(i)
            .iter()
            .filter_map(|&f| self.target(f))
            .collect();
        next.extend(self.timers.get(i).into_iter().flatten().copied());
        next
    }

    /// Cycles from which no end event of their scope can be reached. `true` if there are none.
    fn ends_reachable(&self, out: &mut Problems) -> bool {
        let count = self.p.nodes.len();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); count];
        for i in 0..count {
            for j in self.successors(i) {
                if let Some(p) = preds.get_mut(j) {
                    p.push(i);
                }
            }
        }
        let mut good = vec![false; count];
        let mut queue: Vec<usize> = (0..count)
            .filter(|&i| matches!(self.kind(i), Some(NodeKind::EndEvent { .. })))
            .collect();
        while let Some(i) = queue.pop() {
            match good.get_mut(i) {
                Some(g) if !*g => *g = true,
                _ => continue,
            }
            queue.extend(preds.get(i).into_iter().flatten().copied());
        }
        if good.iter().all(|&g| g) {
            return true;
        }
        // The bad nodes all lead into traps: the bottom strongly connected components of the bad
        // part of the graph. Report each trap once.
        let bad: Vec<usize> = (0..count)
            .filter(|&i| !good.get(i).copied().unwrap_or(true))
            .collect();
        let position: HashMap<usize, usize> =
            bad.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let adjacency: Vec<Vec<usize>> = bad
            .iter()
            .map(|&i| {
                self.successors(i)
                    .into_iter()
                    .filter_map(|j| position.get(&j).copied())
                    .collect()
            })
            .collect();
        let components = strongly_connected(&adjacency);
        let mut component_of = vec![0usize; bad.len()];
        for (c, members) in components.iter().enumerate() {
            for &k in members {
                if let Some(slot) = component_of.get_mut(k) {
                    *slot = c;
                }
            }
        }
        for (c, members) in components.iter().enumerate() {
            let leaves = members.iter().any(|&k| {
                adjacency
                    .get(k)
                    .into_iter()
                    .flatten()
                    .any(|&j| component_of.get(j).copied() != Some(c))
            });
            if leaves {
                continue;
            }
            let mut nodes: Vec<&Node> = members
                .iter()
                .filter_map(|&k| bad.get(k))
                .filter_map(|&i| self.node(i))
                .collect();
            nodes.sort_by_key(|n| n.line);
            let Some(first) = nodes.first() else { continue };
            let cyclic = members.len() > 1
                || members
                    .iter()
                    .any(|&k| adjacency.get(k).is_some_and(|a| a.contains(&k)));
            let message = if cyclic {
                let list: Vec<String> = nodes.iter().map(|n| node_at(n)).collect();
                format!(
                    "Vòng lặp không có lối ra: từ {} không thể tới sự kiện kết thúc nào của {}",
                    list.join(", "),
                    self.scope_words(
                        self.index
                            .get(first.id.as_str())
                            .and_then(|&i| self.parent(i))
                    )
                )
            } else {
                format!(
                    "Từ {} không thể tới sự kiện kết thúc",
                    lower_first(&describe(first))
                )
            };
            out.push(first.line, Some(&first.id), message);
        }
        false
    }
}

fn user_task(n: &Node, task: &crate::model::UserTask, out: &mut Problems) {
    let what = describe(n);
    match task.role.as_deref() {
        Some(role) if !ROLES.contains(&role) => out.push(
            n.line,
            Some(&n.id),
            format!(
                "Vai trò “{role}” của {} không hợp lệ: chỉ dùng {}",
                lower_first(&what),
                ROLES.join(", ")
            ),
        ),
        None if task.agency.is_none() => out.push(
            n.line,
            Some(&n.id),
            format!(
                "{what} chưa có vai trò: đặt motcua:role ({}) trên bước hoặc trên làn chứa nó",
                ROLES.join(", ")
            ),
        ),
        _ => {}
    }
    if let Some(action) = task.action.as_deref() {
        if let Some(agency) = task.agency.as_deref() {
            out.push(
                n.line,
                Some(&n.id),
                format!(
                    "{what} là ý kiến của cơ quan khác (motcua:agency=“{agency}”) nên không được có motcua:action"
                ),
            );
        } else if !USER_TASK_ACTIONS.contains(&action) {
            out.push(
                n.line,
                Some(&n.id),
                format!(
                    "Hành động “{action}” của {} không hợp lệ: chỉ dùng {}",
                    lower_first(&what),
                    USER_TASK_ACTIONS.join(", ")
                ),
            );
        }
    }
    match task.budget {
        Some(Budget::Days(d)) if !(d.is_finite() && d >= 0.0) => out.push(
            n.line,
            Some(&n.id),
            format!(
                "Thời hạn motcua:days=“{d}” của {} phải là số ngày làm việc không âm",
                lower_first(&what)
            ),
        ),
        Some(Budget::Share(s)) if !(s.is_finite() && s > 0.0 && s <= 1.0) => out.push(
            n.line,
            Some(&n.id),
            format!(
                "Tỉ lệ motcua:share=“{s}” của {} phải lớn hơn 0 và không quá 1",
                lower_first(&what)
            ),
        ),
        _ => {}
    }
}

/// Tarjan's algorithm, without recursion. Components in reverse topological order.
fn strongly_connected(adjacency: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let count = adjacency.len();
    let unvisited = usize::MAX;
    let mut index = vec![unvisited; count];
    let mut low = vec![0usize; count];
    let mut on_stack = vec![false; count];
    let mut stack: Vec<usize> = Vec::new();
    let mut components = Vec::new();
    let mut next = 0usize;
    for root in 0..count {
        if index.get(root) != Some(&unvisited) {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, child)) = calls.last() {
            if let Some(&w) = adjacency.get(v).and_then(|a| a.get(child)) {
                if let Some(call) = calls.last_mut() {
                    call.1 += 1;
                }
                if w >= count {
                    continue;
                }
                if index[w] == unvisited {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                calls.pop();
                if let Some(&(u, _)) = calls.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    components.push(component);
                }
            }
        }
    }
    components
}

// ---------------------------------------------------------------------------------------------
// The token game.

/// Why a move was not explored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stop {
    /// Too many tokens on a place.
    Piling(usize),
    /// A sub-process entered again while running.
    ReEntry(usize),
}

type Marking = Vec<u8>;

/// Places are the flows (a token waits on a flow into a gateway, a service task or an end
/// event), then one slot per activity and set of fired non-interrupting timers (a token in a
/// user task or a running sub-process).
struct TokenGame {
    flows: usize,
    places: usize,
    /// Per node: the first slot of an activity, and how many slots it has.
    slots: Vec<Option<(usize, usize)>>,
    /// Per slot (place minus the flows): its activity.
    owner: Vec<usize>,
    /// Per boundary timer: the bit it sets on its activity's slot when non-interrupting.
    timer_bit: Vec<Option<usize>>,
    /// Per sub-process: the places inside it (nested scopes included).
    inside: Vec<Vec<usize>>,
    /// Per inclusive gateway and incoming flow: the places from which that flow can still be
    /// reached without passing the gateway. `None`: too large to compute.
    upstream: Option<HashMap<(usize, usize), Vec<bool>>>,
}

impl TokenGame {
    fn new(c: &ProcessCheck<'_>) -> TokenGame {
        let count = c.p.nodes.len();
        let flows = c.p.flows.len();
        let mut slots = vec![None; count];
        let mut timer_bit = vec![None; count];
        let mut owner = Vec::new();
        let mut places = flows;
        for i in 0..count {
            if !matches!(
                c.kind(i),
                Some(NodeKind::UserTask(_) | NodeKind::SubProcess)
            ) {
                continue;
            }
            let mut bits = 0usize;
            for &t in c.timers.get(i).into_iter().flatten() {
                if let Some(NodeKind::BoundaryTimer {
                    interrupting: false,
                    ..
                }) = c.kind(t)
                    && bits < MAX_TIMER_BITS
                {
                    if let Some(b) = timer_bit.get_mut(t) {
                        *b = Some(1 << bits);
                    }
                    bits += 1;
                }
            }
            let n = 1usize << bits;
            if let Some(s) = slots.get_mut(i) {
                *s = Some((places, n));
            }
            owner.extend(std::iter::repeat_n(i, n));
            places += n;
        }
        // The scope of each place, then the places inside each sub-process.
        let mut scope_of_place: Vec<Option<usize>> = Vec::with_capacity(places);
        for f in 0..flows {
            scope_of_place.push(
                c.ends
                    .get(f)
                    .copied()
                    .flatten()
                    .and_then(|(s, _)| c.parent(s)),
            );
        }
        for i in 0..count {
            if let Some(Some((_, n))) = slots.get(i) {
                for _ in 0..*n {
                    scope_of_place.push(c.parent(i));
                }
            }
        }
        let mut inside = vec![Vec::new(); count];
        for (place, scope) in scope_of_place.iter().enumerate() {
            let mut current = *scope;
            let mut steps = 0;
            while let Some(s) = current {
                if let Some(list) = inside.get_mut(s) {
                    list.push(place);
                }
                steps += 1;
                if steps > count {
                    break;
                }
                current = c.parent(s);
            }
        }
        let mut game = TokenGame {
            flows,
            places,
            slots,
            owner,
            timer_bit,
            inside,
            upstream: None,
        };
        game.upstream = game.or_join_upstream(c);
        game
    }

    fn slot_range(&self, node: usize) -> Option<(usize, usize)> {
        self.slots.get(node).copied().flatten()
    }

    /// The places a token put on these flows lands on (a flow into a user task lands in the task;
    /// into a sub-process, in the sub-process and on its start's outgoing flows).
    fn landing(&self, c: &ProcessCheck<'_>, flows: &[usize]) -> Vec<usize> {
        let mut work: Vec<usize> = flows.to_vec();
        let mut places = Vec::new();
        let mut seen = HashSet::new();
        while let Some(f) = work.pop() {
            if !seen.insert(f) {
                continue;
            }
            let Some(t) = c.target(f) else { continue };
            match c.kind(t) {
                Some(NodeKind::EndEvent { terminate: false }) => {
                    if let Some(s) = c.parent(t) {
                        work.extend_from_slice(c.outs(s));
                    }
                }
                Some(NodeKind::ServiceTask { .. }) => work.extend_from_slice(c.outs(t)),
                Some(NodeKind::UserTask(_)) => {
                    if let Some((base, n)) = self.slot_range(t) {
                        places.extend(base..base + n);
                    }
                }
                Some(NodeKind::SubProcess) => {
                    if let Some((base, n)) = self.slot_range(t) {
                        places.extend(base..base + n);
                    }
                    if let Some(s) = c.start_of(Some(t)) {
                        work.extend_from_slice(c.outs(s));
                    }
                }
                _ => places.push(f),
            }
        }
        places
    }

    /// Where a token on this place can go next.
    fn place_successors(&self, c: &ProcessCheck<'_>, place: usize) -> Vec<usize> {
        if place < self.flows {
            let Some(t) = c.target(place) else {
                return Vec::new();
            };
            match c.kind(t) {
                Some(NodeKind::EndEvent { .. }) => match c.parent(t) {
                    Some(s) => self.landing(c, c.outs(s)),
                    None => Vec::new(),
                },
                _ => self.landing(c, c.outs(t)),
            }
        } else {
            let Some(&node) = self.owner.get(place - self.flows) else {
                return Vec::new();
            };
            let mut flows: Vec<usize> = c.outs(node).to_vec();
            for &t in c.timers.get(node).into_iter().flatten() {
                flows.extend_from_slice(c.outs(t));
            }
            let mut next = self.landing(c, &flows);
            if let Some((base, n)) = self.slot_range(node) {
                next.extend(base..base + n);
            }
            next
        }
    }

    fn or_join_upstream(&self, c: &ProcessCheck<'_>) -> Option<HashMap<(usize, usize), Vec<bool>>> {
        let mut result = HashMap::new();
        let joins: Vec<usize> = (0..c.p.nodes.len())
            .filter(|&i| {
                matches!(c.kind(i), Some(NodeKind::InclusiveGateway { .. })) && c.ins(i).len() > 1
            })
            .collect();
        if joins.is_empty() {
            return Some(result);
        }
        let size: usize = joins
            .iter()
            .map(|&g| c.ins(g).len().saturating_mul(self.places))
            .sum();
        if size > MAX_WORK / 10 {
            return None;
        }
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); self.places];
        for place in 0..self.places {
            for next in self.place_successors(c, place) {
                if let Some(p) = preds.get_mut(next) {
                    p.push(place);
                }
            }
        }
        for g in joins {
            let ins = c.ins(g);
            for &f in ins {
                let mut up = vec![false; self.places];
                let mut queue: Vec<usize> = preds.get(f).cloned().unwrap_or_default();
                while let Some(p) = queue.pop() {
                    // A token waiting at the gateway itself is not on its way to `f`.
                    if ins.contains(&p) {
                        continue;
                    }
                    match up.get_mut(p) {
                        Some(u) if !*u => *u = true,
                        _ => continue,
                    }
                    queue.extend(preds.get(p).into_iter().flatten().copied());
                }
                result.insert((g, f), up);
            }
        }
        Some(result)
    }

    fn add(&self, m: &mut Marking, place: usize) -> Result<(), Stop> {
        let Some(count) = m.get_mut(place) else {
            return Ok(());
        };
        *count = count.saturating_add(1);
        if *count > MAX_TOKENS_PER_PLACE {
            Err(Stop::Piling(place))
        } else {
            Ok(())
        }
    }

    fn take(m: &mut Marking, place: usize) {
        if let Some(count) = m.get_mut(place) {
            *count = count.saturating_sub(1);
        }
    }

    /// Puts a token on each of these flows. What happens at once when a token arrives happens
    /// here: a plain end event takes it, a service task passes it on, a user task or sub-process
    /// starts.
    fn produce(&self, c: &ProcessCheck<'_>, m: &mut Marking, flows: &[usize]) -> Result<(), Stop> {
        let mut work: Vec<usize> = flows.iter().rev().copied().collect();
        // Service tasks in a cycle would pass tokens around for ever.
        let mut budget = (self.places + 1) * usize::from(MAX_TOKENS_PER_PLACE + 1);
        while let Some(f) = work.pop() {
            let Some(t) = c.target(f) else { continue };
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return Err(Stop::Piling(f));
            }
            match (c.kind(t), self.slot_range(t)) {
                (Some(NodeKind::EndEvent { terminate: false }), _) => {}
                (Some(NodeKind::ServiceTask { .. }), _) => work.extend(c.outs(t).iter().rev()),
                (Some(NodeKind::UserTask(_)), Some((base, _))) => self.add(m, base)?,
                (Some(NodeKind::SubProcess), Some((base, n))) => {
                    if (base..base + n).any(|p| m.get(p).copied().unwrap_or(0) > 0) {
                        return Err(Stop::ReEntry(t));
                    }
                    self.add(m, base)?;
                    if let Some(s) = c.start_of(Some(t)) {
                        work.extend(c.outs(s).iter().rev());
                    }
                }
                _ => self.add(m, f)?,
            }
        }
        Ok(())
    }

    fn clear(&self, m: &mut Marking, scope: Option<usize>) {
        match scope {
            None => m.iter_mut().for_each(|c| *c = 0),
            Some(s) => {
                for &p in self.inside.get(s).into_iter().flatten() {
                    if let Some(c) = m.get_mut(p) {
                        *c = 0;
                    }
                }
            }
        }
    }

    fn or_join_enabled(&self, c: &ProcessCheck<'_>, g: usize, m: &Marking) -> bool {
        let has = |f: usize| m.get(f).copied().unwrap_or(0) > 0;
        let ins = c.ins(g);
        if !ins.iter().any(|&f| has(f)) {
            return false;
        }
        ins.iter().filter(|&&f| !has(f)).all(|&f| {
            match self.upstream.as_ref().and_then(|u| u.get(&(g, f))) {
                Some(up) => !m.iter().zip(up).any(|(&count, &u)| count > 0 && u),
                None => true,
            }
        })
    }

    /// Every move from `m`: the next marking, or why it was not explored.
    /// `None` when `budget` (bytes of markings to copy) runs out.
    fn moves(
        &self,
        c: &ProcessCheck<'_>,
        m: &Marking,
        budget: &mut usize,
    ) -> Option<Vec<Result<Marking, Stop>>> {
        let mut copy = |from: &Marking| -> Option<Marking> {
            *budget = budget.checked_sub(from.len().max(1))?;
            Some(from.clone())
        };
        let mut moves = Vec::new();
        let has = |f: usize| m.get(f).copied().unwrap_or(0) > 0;
        for f in (0..self.flows).filter(|&f| has(f)) {
            let Some(t) = c.target(f) else { continue };
            let outs = c.outs(t);
            match c.kind(t) {
                Some(NodeKind::EndEvent { terminate }) => {
                    let mut next = copy(m)?;
                    Self::take(&mut next, f);
                    if *terminate {
                        self.clear(&mut next, c.parent(t));
                    }
                    moves.push(Ok(next));
                }
                Some(NodeKind::ServiceTask { .. }) => {
                    let mut next = copy(m)?;
                    Self::take(&mut next, f);
                    moves.push(self.produce(c, &mut next, outs).map(|()| next));
                }
                Some(NodeKind::ExclusiveGateway { .. }) => {
                    for &o in outs {
                        let mut next = copy(m)?;
                        Self::take(&mut next, f);
                        moves.push(self.produce(c, &mut next, &[o]).map(|()| next));
                    }
                }
                Some(NodeKind::ParallelGateway) => {
                    let ins = c.ins(t);
                    // Fire once per gateway, from its first incoming flow that has a token.
                    if ins.iter().find(|&&i| has(i)) != Some(&f) || !ins.iter().all(|&i| has(i)) {
                        continue;
                    }
                    let mut next = copy(m)?;
                    for &i in ins {
                        Self::take(&mut next, i);
                    }
                    moves.push(self.produce(c, &mut next, outs).map(|()| next));
                }
                Some(NodeKind::InclusiveGateway { .. }) => {
                    let ins = c.ins(t);
                    if ins.iter().find(|&&i| has(i)) != Some(&f) || !self.or_join_enabled(c, t, m) {
                        continue;
                    }
                    let mut consumed = copy(m)?;
                    for &i in ins.iter().filter(|&&i| has(i)) {
                        Self::take(&mut consumed, i);
                    }
                    for subset in subsets(outs) {
                        let mut next = copy(&consumed)?;
                        moves.push(self.produce(c, &mut next, &subset).map(|()| next));
                    }
                }
                _ => {}
            }
        }
        for node in 0..c.p.nodes.len() {
            let Some((base, n)) = self.slot_range(node) else {
                continue;
            };
            let is_sub = matches!(c.kind(node), Some(NodeKind::SubProcess));
            for mask in 0..n {
                let slot = base + mask;
                if !has(slot) {
                    continue;
                }
                let done = !is_sub
                    || self
                        .inside
                        .get(node)
                        .into_iter()
                        .flatten()
                        .all(|&p| m.get(p).copied().unwrap_or(0) == 0);
                if done {
                    let mut next = copy(m)?;
                    Self::take(&mut next, slot);
                    moves.push(self.produce(c, &mut next, c.outs(node)).map(|()| next));
                }
                for &t in c.timers.get(node).into_iter().flatten() {
                    let interrupting = matches!(
                        c.kind(t),
                        Some(NodeKind::BoundaryTimer {
                            interrupting: true,
                            ..
                        })
                    );
                    let mut next = copy(m)?;
                    Self::take(&mut next, slot);
                    if interrupting {
                        if is_sub {
                            self.clear(&mut next, Some(node));
                        }
                    } else {
                        let Some(bit) = self.timer_bit.get(t).copied().flatten() else {
                            continue;
                        };
                        if mask & bit != 0 {
                            continue;
                        }
                        if let Some(count) = next.get_mut(base + (mask | bit)) {
                            *count = count.saturating_add(1);
                        }
                    }
                    moves.push(self.produce(c, &mut next, c.outs(t)).map(|()| next));
                }
            }
        }
        Some(moves)
    }

    fn explore(&self, c: &ProcessCheck<'_>, out: &mut Problems) {
        let mut initial: Marking = vec![0; self.places];
        let Some(start) = c.start_of(None) else {
            return;
        };
        let too_big = |out: &mut Problems| {
            out.push(
                c.p.line,
                Some(&c.p.id),
                format!(
                    "Quy trình {} có quá nhiều trạng thái (hơn {} trạng thái token) để kiểm tra hết: chưa chứng minh \
                     được là không có deadlock, hãy đơn giản hoá quy trình",
                    at(&c.p.id, &c.p.name, c.p.line),
                    group_thousands(MAX_MARKINGS)
                ),
            );
        };
        if self.upstream.is_none() {
            too_big(out);
            return;
        }
        let mut budget = MAX_WORK;
        let mut reported_stops: HashSet<Stop> = HashSet::new();
        if let Err(stop) = self.produce(c, &mut initial, c.outs(start)) {
            self.report_stop(c, stop, out);
            return;
        }
        let mut index: HashMap<Marking, usize> = HashMap::new();
        let mut states: Vec<Marking> = vec![initial.clone()];
        let mut successors: Vec<Vec<usize>> = vec![Vec::new()];
        index.insert(initial, 0);
        let mut queue: VecDeque<usize> = VecDeque::from([0]);
        let mut stuck_gateways: HashSet<usize> = HashSet::new();
        let mut problems = 0usize;
        let mut capped = false;
        'explore: while let Some(i) = queue.pop_front() {
            let Some(m) = states.get(i).cloned() else {
                continue;
            };
            let Some(moves) = self.moves(c, &m, &mut budget) else {
                capped = true;
                break 'explore;
            };
            if moves.is_empty() && m.iter().any(|&t| t > 0) {
                problems += self.report_stuck(c, &m, &mut stuck_gateways, out);
            }
            for next in moves {
                match next {
                    Ok(next) => {
                        let j = match index.get(&next) {
                            Some(&j) => j,
                            None => {
                                if states.len() >= MAX_MARKINGS {
                                    capped = true;
                                    break 'explore;
                                }
                                let j = states.len();
                                index.insert(next.clone(), j);
                                states.push(next);
                                successors.push(Vec::new());
                                queue.push_back(j);
                                j
                            }
                        };
                        if let Some(s) = successors.get_mut(i) {
                            s.push(j);
                        }
                    }
                    Err(stop) => {
                        if reported_stops.insert(stop) {
                            problems += 1;
                            self.report_stop(c, stop, out);
                        }
                    }
                }
            }
        }
        if capped {
            too_big(out);
            return;
        }
        if problems > 0 {
            return;
        }
        // Every reachable marking must still be able to finish (no tokens left).
        let mut finishes = vec![false; states.len()];
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); states.len()];
        for (i, next) in successors.iter().enumerate() {
            for &j in next {
                if let Some(p) = preds.get_mut(j) {
                    p.push(i);
                }
            }
        }
        let mut queue: Vec<usize> = states
            .iter()
            .enumerate()
            .filter(|(_, m)| m.iter().all(|&t| t == 0))
            .map(|(i, _)| i)
            .collect();
        while let Some(i) = queue.pop() {
            match finishes.get_mut(i) {
                Some(f) if !*f => *f = true,
                _ => continue,
            }
            queue.extend(preds.get(i).into_iter().flatten().copied());
        }
        if let Some(m) = finishes
            .iter()
            .position(|&f| !f)
            .and_then(|i| states.get(i))
        {
            out.push(
                c.p.line,
                Some(&c.p.id),
                format!(
                    "Quy trình {} có thể rơi vào trạng thái không bao giờ kết thúc, ví dụ khi token ở {}",
                    at(&c.p.id, &c.p.name, c.p.line),
                    self.describe_marking(c, m)
                ),
            );
        }
    }

    fn place_words(&self, c: &ProcessCheck<'_>, place: usize) -> (u32, String, String) {
        if place < self.flows {
            let Some(f) = c.flow(place) else {
                return (c.p.line, c.p.id.clone(), String::new());
            };
            (
                f.line,
                f.id.clone(),
                format!("luồng {} (vào {})", flow_at(f), f.target),
            )
        } else {
            let node = self.owner.get(place - self.flows).and_then(|&i| c.node(i));
            match node {
                Some(n) => (n.line, n.id.clone(), lower_first(&describe(n))),
                None => (c.p.line, c.p.id.clone(), String::new()),
            }
        }
    }

    fn describe_marking(&self, c: &ProcessCheck<'_>, m: &Marking) -> String {
        let parts: Vec<String> = m
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > 0)
            .map(|(p, &t)| {
                let (_, _, words) = self.place_words(c, p);
                if t > 1 {
                    format!("{words} ×{t}")
                } else {
                    words
                }
            })
            .collect();
        parts.join("; ")
    }

    fn report_stop(&self, c: &ProcessCheck<'_>, stop: Stop, out: &mut Problems) {
        match stop {
            Stop::Piling(place) => {
                let (line, id, words) = self.place_words(c, place);
                let message = if place < self.flows {
                    format!(
                        "Token có thể dồn lại không giới hạn trên {words}: các nhánh song song không được đồng bộ \
                         (thiếu cổng song song gộp nhánh)"
                    )
                } else {
                    let mut words = words;
                    if let Some(first) = words.get(..1) {
                        words = format!(
                            "{}{}",
                            first.to_uppercase(),
                            words.get(1..).unwrap_or_default()
                        );
                    }
                    format!(
                        "{words} có thể được kích hoạt nhiều lần cùng lúc không giới hạn: các nhánh song song không \
                         được đồng bộ"
                    )
                };
                out.push(line, Some(&id), message);
            }
            Stop::ReEntry(s) => {
                if let Some(n) = c.node(s) {
                    out.push(
                        n.line,
                        Some(&n.id),
                        format!(
                            "{} có thể được kích hoạt lần nữa khi đang chạy: các nhánh song song trước nó không được \
                             đồng bộ",
                            describe(n)
                        ),
                    );
                }
            }
        }
    }

    /// Reports the joins a stuck marking waits at; returns how many problems it added.
    fn report_stuck(
        &self,
        c: &ProcessCheck<'_>,
        m: &Marking,
        reported: &mut HashSet<usize>,
        out: &mut Problems,
    ) -> usize {
        let has = |f: usize| m.get(f).copied().unwrap_or(0) > 0;
        let mut joins: Vec<usize> = (0..self.flows)
            .filter(|&f| has(f))
            .filter_map(|f| c.target(f))
            .filter(|&t| {
                matches!(
                    c.kind(t),
                    Some(NodeKind::ParallelGateway | NodeKind::InclusiveGateway { .. })
                )
            })
            .collect();
        joins.sort_unstable();
        joins.dedup();
        let flow_words = |f: usize| {
            c.flow(f)
                .map(|flow| format!("{} (từ {})", flow.id, flow.source))
                .unwrap_or_default()
        };
        let mut added = 0;
        if joins.is_empty() {
            if reported.insert(usize::MAX) {
                added += 1;
                out.push(
                    c.p.line,
                    Some(&c.p.id),
                    format!(
                        "Quy trình {} có thể dừng lại giữa chừng (deadlock) khi token ở {}",
                        at(&c.p.id, &c.p.name, c.p.line),
                        self.describe_marking(c, m)
                    ),
                );
            }
            return added;
        }
        for g in joins {
            if !reported.insert(g) {
                continue;
            }
            let Some(n) = c.node(g) else { continue };
            let ins = c.ins(g);
            let arrived: Vec<String> = ins
                .iter()
                .filter(|&&f| has(f))
                .map(|&f| flow_words(f))
                .collect();
            let missing: Vec<String> = ins
                .iter()
                .filter(|&&f| !has(f))
                .map(|&f| flow_words(f))
                .collect();
            added += 1;
            out.push(
                n.line,
                Some(&n.id),
                format!(
                    "{} có thể chờ mãi (deadlock): có trường hợp luồng {} đã tới nhưng luồng {} không bao giờ tới",
                    describe(n),
                    arrived.join(", "),
                    missing.join(", ")
                ),
            );
        }
        added
    }
}

/// The non-empty subsets of an inclusive gateway's outgoing flows (all of them up to 6 flows;
/// beyond, each flow alone and all together).
fn subsets(flows: &[usize]) -> Vec<Vec<usize>> {
    if flows.len() <= 6 {
        (1u32..(1 << flows.len()))
            .map(|mask| {
                flows
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| mask & (1 << k) != 0)
                    .map(|(_, &f)| f)
                    .collect()
            })
            .collect()
    } else {
        let mut all: Vec<Vec<usize>> = flows.iter().map(|&f| vec![f]).collect();
        all.push(flows.to_vec());
        all
    }
}

/// `20 000`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        let adjacency = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![]];
        let mut c: Vec<Vec<usize>> = strongly_connected(&adjacency)
            .into_iter()
            .map(|mut v| {
                v.sort_unstable();
                v
            })
            .collect();
        c.sort();
        assert_eq!(c, vec![vec![0, 1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(20_000), "20 000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_234_567), "1 234 567");
    }

    #[test]
    fn inclusive_subsets() {
        assert_eq!(subsets(&[7, 8]), vec![vec![7], vec![8], vec![7, 8]]);
        assert_eq!(subsets(&(0..8).collect::<Vec<_>>()).len(), 9);
    }
}
