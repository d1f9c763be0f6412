//! The third tier: plays the token game over every reachable marking to find what the graph
//! alone cannot show: joins that wait forever, tokens that pile up, states from which the process
//! can never finish. Bounded in markings and in bytes copied, so that no file makes a check run
//! long; when the bound is hit the process is reported as too complex rather than passed.

mod moves;
mod report;
mod upstream;

use super::process::ProcessCheck;
use super::words::at;
use super::{MAX_MARKINGS, MAX_TIMER_BITS, MAX_WORK, Problems};
use crate::model::NodeKind;
use report::group_thousands;
use std::collections::{HashMap, HashSet, VecDeque};

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
pub(super) struct TokenGame {
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
    pub(super) fn new(c: &ProcessCheck<'_>) -> TokenGame {
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

    pub(super) fn explore(&self, c: &ProcessCheck<'_>, out: &mut Problems) {
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
}
