//! Lanes, and the role and agency they give the user tasks in them: a lane says it with motcua's
//! attributes, or its name suggests a role (“Bộ phận một cửa” is intake), or it inherits from the
//! lane around it; a task without its own takes its innermost lane's.

use super::build::{Builder, is_descriptive};
use super::tree::El;
use crate::model::{Lane, NodeKind, Process};
use std::collections::HashMap;

/// The lane facts of one process, gathered while its lanes are read.
#[derive(Default)]
pub(super) struct LaneAcc {
    pub(super) lanes: Vec<Lane>,
    /// Node id → (lane index, nesting depth) for each direct `flowNodeRef`.
    direct: Vec<(String, usize, usize)>,
}

/// The role a lane's name suggests: the earliest keyword found wins.
fn guess_role(name: &str) -> Option<String> {
    const KEYWORDS: &[(&str, &str)] = &[
        ("tiếp nhận", "intake"),
        ("một cửa", "intake"),
        ("chuyên viên", "specialist"),
        ("thẩm định", "specialist"),
        ("xử lý", "specialist"),
        ("lãnh đạo", "leader"),
        ("phê duyệt", "leader"),
    ];
    let lower = name.to_lowercase();
    KEYWORDS
        .iter()
        .filter_map(|(word, role)| lower.find(word).map(|at| (at, *role)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, role)| role.to_owned())
}

impl<'t> Builder<'t> {
    pub(super) fn lane_set(
        &mut self,
        el: &'t El,
        parent: Option<usize>,
        depth: usize,
        owner: &str,
        acc: &mut LaneAcc,
    ) {
        for child in self.children(el) {
            match child.local.as_str() {
                "lane" => {
                    self.lane(child, parent, depth, acc);
                }
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    let id = child
                        .id()
                        .or_else(|| el.id())
                        .or_else(|| Some(owner.to_owned()));
                    self.unsupported(local, id, child.line);
                }
            }
        }
    }

    /// Adds a lane and its nested lanes; returns the ids of every node in it.
    fn lane(
        &mut self,
        el: &'t El,
        parent: Option<usize>,
        depth: usize,
        acc: &mut LaneAcc,
    ) -> Vec<String> {
        let parent_lane = parent.and_then(|p| acc.lanes.get(p));
        let name = el.name();
        let role = el
            .motcua("role")
            .or_else(|| guess_role(&name))
            .or_else(|| parent_lane.and_then(|l| l.role.clone()));
        let agency = el
            .motcua("agency")
            .or_else(|| parent_lane.and_then(|l| l.agency.clone()));
        let index = acc.lanes.len();
        acc.lanes.push(Lane {
            id: el.id().unwrap_or_default(),
            name,
            role,
            agency,
            nodes: Vec::new(),
            line: el.line,
        });
        let mut nodes: Vec<String> = Vec::new();
        for child in self.children(el) {
            match child.local.as_str() {
                "flowNodeRef" => {
                    let node = child.text.trim();
                    if !node.is_empty() {
                        acc.direct.push((node.to_owned(), index, depth));
                        nodes.push(node.to_owned());
                    }
                }
                "childLaneSet" => {
                    for grandchild in self.children(child) {
                        match grandchild.local.as_str() {
                            "lane" => {
                                let inner = self.lane(grandchild, Some(index), depth + 1, acc);
                                nodes.extend(inner);
                            }
                            local if is_descriptive(local) || grandchild.is_foreign() => {}
                            local => {
                                let id = grandchild.id().or_else(|| el.id());
                                self.unsupported(local, id, grandchild.line);
                            }
                        }
                    }
                }
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    let id = child.id().or_else(|| el.id());
                    self.unsupported(local, id, child.line);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        nodes.retain(|n| seen.insert(n.clone()));
        if let Some(lane) = acc.lanes.get_mut(index) {
            lane.nodes = nodes.clone();
        }
        nodes
    }
}

/// Fills a user task's role and agency from its lane (the innermost lane that lists it, else the
/// lane of the sub-process that contains it, and so on up).
pub(super) fn assign_lanes(process: &mut Process, acc: &LaneAcc) {
    let mut lane_of: HashMap<&str, (usize, usize)> = HashMap::new();
    for (node, lane, depth) in &acc.direct {
        let entry = lane_of.entry(node.as_str()).or_insert((*lane, *depth));
        if *depth > entry.1 {
            *entry = (*lane, *depth);
        }
    }
    let parents: HashMap<String, Option<String>> = process
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.parent.clone()))
        .collect();
    let limit = process.nodes.len() + 1;
    for node in &mut process.nodes {
        let NodeKind::UserTask(task) = &mut node.kind else {
            continue;
        };
        if task.role.is_some() && task.agency.is_some() {
            continue;
        }
        let mut current = Some(node.id.clone());
        let mut steps = 0;
        let mut lane = None;
        while let Some(id) = current {
            if let Some((index, _)) = lane_of.get(id.as_str()) {
                lane = acc.lanes.get(*index);
                break;
            }
            steps += 1;
            if steps > limit {
                break;
            }
            current = parents.get(&id).cloned().flatten();
        }
        if let Some(lane) = lane {
            if task.role.is_none() {
                task.role = lane.role.clone();
            }
            if task.agency.is_none() {
                task.agency = lane.agency.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_lane_names() {
        assert_eq!(
            guess_role("Bộ phận Tiếp nhận và trả kết quả").as_deref(),
            Some("intake")
        );
        assert_eq!(guess_role("Bộ phận một cửa").as_deref(), Some("intake"));
        assert_eq!(
            guess_role("Chuyên viên thẩm định, trình phê duyệt").as_deref(),
            Some("specialist")
        );
        assert_eq!(
            guess_role("LÃNH ĐẠO PHÒNG XỬ LÝ").as_deref(),
            Some("leader")
        );
        assert_eq!(guess_role("Phòng Kế hoạch"), None);
    }
}
