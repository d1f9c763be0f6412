//! The second tier, following the flows without tokens: nodes the start never reaches, and traps
//! (cycles or dead ends) from which no end event can be reached, each reported once, at its
//! strongly connected component, rather than once per node caught in it.

use super::Problems;
use super::process::ProcessCheck;
use super::words::{describe, lower_first, node_at};
use crate::model::{Node, NodeKind};
use std::collections::HashMap;

impl ProcessCheck<'_> {
    /// Nodes the start cannot reach. `true` if there are none.
    pub(super) fn reachable(&self, out: &mut Problems) -> bool {
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
    pub(super) fn ends_reachable(&self, out: &mut Problems) -> bool {
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
}
