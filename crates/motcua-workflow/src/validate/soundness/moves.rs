//! The rules of the game: how a marking moves on at each kind of node (end events, service
//! tasks, the three gateways, user tasks, sub-processes and their boundary timers), and what
//! arriving tokens start at once.

use super::{Marking, Stop, TokenGame};
use crate::model::NodeKind;
use crate::validate::MAX_TOKENS_PER_PLACE;
use crate::validate::process::ProcessCheck;

impl TokenGame {
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
    pub(super) fn produce(
        &self,
        c: &ProcessCheck<'_>,
        m: &mut Marking,
        flows: &[usize],
    ) -> Result<(), Stop> {
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
    pub(super) fn moves(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusive_subsets() {
        assert_eq!(subsets(&[7, 8]), vec![vec![7], vec![8], vec![7, 8]]);
        assert_eq!(subsets(&(0..8).collect::<Vec<_>>()).len(), 9);
    }
}
