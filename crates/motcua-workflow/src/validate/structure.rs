//! The first tier, element by element: flows that join existing nodes of one scope, sub-processes
//! that contain what they claim, the flows each node needs, the attributes motcua reads (roles,
//! actions, budgets, timers and what they are attached to), one start and an end in each scope.
//! A structural problem marks the graph as not whole, so the later tiers do not report it again.

use super::process::ProcessCheck;
use super::words::{at, describe, flow_at, lower_first, node_at};
use super::{Problems, ROLES, SERVICE_TASK_ACTIONS, USER_TASK_ACTIONS};
use crate::model::{Budget, Node, NodeKind};
use crate::parse::duration_in_working_days;

impl ProcessCheck<'_> {
    pub(super) fn flows(&mut self, out: &mut Problems) {
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

    pub(super) fn parents(&mut self, out: &mut Problems) {
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

    pub(super) fn nodes(&mut self, out: &mut Problems) {
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

    /// One start event per scope, at least one end event.
    pub(super) fn scopes(&mut self, out: &mut Problems) {
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
