//! What `motcua process check FILE` shows of a process that passed the checks: its steps, who does
//! them, how long they have, and the timers on them. `Display` prints it in Vietnamese, one step
//! a line; `Serialize` gives the same as JSON.

use crate::model::{Budget, NodeKind, Process};
use crate::parse::duration_in_working_days;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A readable account of one process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub counts: Counts,
    pub lanes: Vec<LaneSummary>,
    /// In file order.
    pub user_tasks: Vec<TaskSummary>,
    pub service_tasks: Vec<ServiceTaskSummary>,
    pub sub_processes: Vec<SubProcessSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub start_events: usize,
    pub end_events: usize,
    pub user_tasks: usize,
    pub service_tasks: usize,
    pub exclusive_gateways: usize,
    pub inclusive_gateways: usize,
    pub parallel_gateways: usize,
    pub sub_processes: usize,
    pub timers: usize,
    pub flows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneSummary {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub agency: Option<String>,
    /// How many flow nodes the lane holds (nested lanes included).
    pub nodes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: String,
    pub name: String,
    pub line: u32,
    pub role: Option<String>,
    pub agency: Option<String>,
    pub action: Option<String>,
    pub budget: Option<Budget>,
    /// The sub-process the step is in, if any.
    pub sub_process: Option<String>,
    pub timers: Vec<TimerSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimerSummary {
    pub id: String,
    pub name: String,
    pub interrupting: bool,
    /// As written (ISO 8601); `None`: the step's own budget.
    pub duration: Option<String>,
    /// The duration in working days, when it reads.
    pub working_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTaskSummary {
    pub id: String,
    pub name: String,
    pub action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubProcessSummary {
    pub id: String,
    pub name: String,
    /// Flow nodes directly inside it.
    pub nodes: usize,
    pub timers: Vec<TimerSummary>,
}

/// Sums up a process.
pub fn summarize(p: &Process) -> Summary {
    let mut counts = Counts {
        flows: p.flows.len(),
        ..Counts::default()
    };
    let timers_on = |id: &str| -> Vec<TimerSummary> {
        p.nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::BoundaryTimer {
                    attached_to,
                    interrupting,
                    duration,
                } if attached_to == id => Some(TimerSummary {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    interrupting: *interrupting,
                    duration: duration.clone(),
                    working_days: duration.as_deref().and_then(duration_in_working_days),
                }),
                _ => None,
            })
            .collect()
    };
    let mut user_tasks = Vec::new();
    let mut service_tasks = Vec::new();
    let mut sub_processes = Vec::new();
    for n in &p.nodes {
        match &n.kind {
            NodeKind::StartEvent => counts.start_events += 1,
            NodeKind::EndEvent { .. } => counts.end_events += 1,
            NodeKind::UserTask(task) => {
                counts.user_tasks += 1;
                user_tasks.push(TaskSummary {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    line: n.line,
                    role: task.role.clone(),
                    agency: task.agency.clone(),
                    action: task.action.clone(),
                    budget: task.budget,
                    sub_process: n.parent.clone(),
                    timers: timers_on(&n.id),
                });
            }
            NodeKind::ServiceTask { action } => {
                counts.service_tasks += 1;
                service_tasks.push(ServiceTaskSummary {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    action: action.clone(),
                });
            }
            NodeKind::ExclusiveGateway { .. } => counts.exclusive_gateways += 1,
            NodeKind::InclusiveGateway { .. } => counts.inclusive_gateways += 1,
            NodeKind::ParallelGateway => counts.parallel_gateways += 1,
            NodeKind::BoundaryTimer { .. } => counts.timers += 1,
            NodeKind::SubProcess => {
                counts.sub_processes += 1;
                sub_processes.push(SubProcessSummary {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    nodes: p
                        .nodes
                        .iter()
                        .filter(|m| m.parent.as_deref() == Some(n.id.as_str()))
                        .count(),
                    timers: timers_on(&n.id),
                });
            }
        }
    }
    Summary {
        id: p.id.clone(),
        name: p.name.clone(),
        counts,
        lanes: p
            .lanes
            .iter()
            .map(|l| LaneSummary {
                id: l.id.clone(),
                name: l.name.clone(),
                role: l.role.clone(),
                agency: l.agency.clone(),
                nodes: l.nodes.len(),
            })
            .collect(),
        user_tasks,
        service_tasks,
        sub_processes,
    }
}

/// `0,5`, `7`, `1,25`: a number the Vietnamese way, at most two decimals.
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}").replace('.', ",")
}

fn role_words(role: &str) -> String {
    match role {
        "intake" => "tiếp nhận (intake)".to_owned(),
        "specialist" => "chuyên viên (specialist)".to_owned(),
        "leader" => "lãnh đạo (leader)".to_owned(),
        other => format!("“{other}”"),
    }
}

fn budget_words(budget: Budget) -> String {
    match budget {
        Budget::Days(d) => format!("thời hạn {} ngày làm việc", number(d)),
        Budget::Share(s) => format!("thời hạn {}% thời gian luật định", number(s * 100.0)),
    }
}

/// `Task_1 “Thẩm định”`, the name on one line.
fn titled(id: &str, name: &str) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        id.to_owned()
    } else {
        format!("{id} “{name}”")
    }
}

fn timer_words(t: &TimerSummary) -> String {
    let when = match (&t.duration, t.working_days) {
        (Some(d), Some(days)) => format!("sau {d} ({} ngày làm việc)", number(days)),
        (Some(d), None) => format!("sau {d}"),
        (None, _) => "khi hết thời hạn của bước".to_owned(),
    };
    let kind = if t.interrupting {
        "dừng bước"
    } else {
        "không dừng bước"
    };
    format!("hẹn giờ {} {when}, {kind}", titled(&t.id, &t.name))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        writeln!(f, "Quy trình {}", titled(&self.id, &self.name))?;
        writeln!(
            f,
            "  {} bước, {} tác vụ tự động, {} quy trình con, {} bộ hẹn giờ, {} luồng",
            c.user_tasks, c.service_tasks, c.sub_processes, c.timers, c.flows
        )?;
        writeln!(
            f,
            "  cổng: {} loại trừ, {} bao hàm, {} song song; {} sự kiện bắt đầu, {} sự kiện kết thúc",
            c.exclusive_gateways,
            c.inclusive_gateways,
            c.parallel_gateways,
            c.start_events,
            c.end_events
        )?;
        if !self.lanes.is_empty() {
            writeln!(f, "Làn:")?;
            for lane in &self.lanes {
                let mut facts = Vec::new();
                if let Some(role) = &lane.role {
                    facts.push(format!("vai trò {}", role_words(role)));
                }
                if let Some(agency) = &lane.agency {
                    facts.push(format!("cơ quan {agency}"));
                }
                if facts.is_empty() {
                    facts.push("chưa có vai trò".to_owned());
                }
                writeln!(
                    f,
                    "  - {}: {}; {} nút",
                    titled(&lane.id, &lane.name),
                    facts.join(", "),
                    lane.nodes
                )?;
            }
        }
        if !self.user_tasks.is_empty() {
            writeln!(f, "Bước:")?;
            for task in &self.user_tasks {
                let mut facts = Vec::new();
                match (&task.agency, &task.role) {
                    (Some(agency), None) => facts.push(format!("ý kiến của cơ quan {agency}")),
                    (Some(agency), Some(role)) => {
                        facts.push(format!(
                            "ý kiến của cơ quan {agency}, vai trò {}",
                            role_words(role)
                        ));
                    }
                    (None, Some(role)) => facts.push(format!("vai trò {}", role_words(role))),
                    (None, None) => facts.push("chưa có vai trò".to_owned()),
                }
                if let Some(action) = &task.action {
                    facts.push(format!("hành động {action}"));
                }
                match task.budget {
                    Some(budget) => facts.push(budget_words(budget)),
                    None => facts.push("không đặt thời hạn".to_owned()),
                }
                if let Some(sub) = &task.sub_process {
                    facts.push(format!("trong quy trình con {sub}"));
                }
                facts.extend(task.timers.iter().map(timer_words));
                writeln!(
                    f,
                    "  - {} (dòng {}): {}",
                    titled(&task.id, &task.name),
                    task.line,
                    facts.join("; ")
                )?;
            }
        }
        if !self.service_tasks.is_empty() {
            writeln!(f, "Tác vụ tự động:")?;
            for task in &self.service_tasks {
                let action = task.action.as_deref().unwrap_or("(chưa có motcua:action)");
                writeln!(f, "  - {}: {action}", titled(&task.id, &task.name))?;
            }
        }
        if !self.sub_processes.is_empty() {
            writeln!(f, "Quy trình con:")?;
            for sub in &self.sub_processes {
                let mut facts = vec![format!("{} nút", sub.nodes)];
                facts.extend(sub.timers.iter().map(timer_words));
                writeln!(
                    f,
                    "  - {}: {}",
                    titled(&sub.id, &sub.name),
                    facts.join("; ")
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_vietnamese_way() {
        assert_eq!(number(0.5), "0,5");
        assert_eq!(number(7.0), "7");
        assert_eq!(number(60.000_000_1), "60");
        assert_eq!(number(1.0 / 3.0), "0,33");
    }
}
