//! What an inclusive join waits for: for each of its incoming flows, the places from which a token
//! can still arrive there without passing the join. Computed once before the game, so that
//! whether a join may fire is a look-up in each marking.

use super::TokenGame;
use crate::model::NodeKind;
use crate::validate::MAX_WORK;
use crate::validate::process::ProcessCheck;
use std::collections::{HashMap, HashSet};

impl TokenGame {
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

    pub(super) fn or_join_upstream(
        &self,
        c: &ProcessCheck<'_>,
    ) -> Option<HashMap<(usize, usize), Vec<bool>>> {
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
}
