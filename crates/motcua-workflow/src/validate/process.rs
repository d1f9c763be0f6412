//! One process indexed once (ids to positions, flows per node, the scope of each node, the timers
//! of each activity), so that every check asks by position instead of searching, and notes in
//! `whole` whether the graph is complete enough for the tiers that follow the flows.

use crate::model::{Document, Node, NodeKind, Process, SequenceFlow};
use std::collections::{HashMap, HashSet};

/// The checks of one process, with its nodes and flows indexed.
pub(super) struct ProcessCheck<'a> {
    pub(super) doc: &'a Document,
    pub(super) p: &'a Process,
    pub(super) unsupported: &'a HashSet<&'a str>,
    pub(super) index: HashMap<&'a str, usize>,
    /// Per node, its outgoing and incoming flows (indices into `p.flows`), both ends resolved.
    outs: Vec<Vec<usize>>,
    ins: Vec<Vec<usize>>,
    /// Per flow, (source node, target node) when both resolve.
    pub(super) ends: Vec<Option<(usize, usize)>>,
    /// Per node, the sub-process that contains it (when that is a sub-process of this process).
    parent: Vec<Option<usize>>,
    /// Per activity, the boundary timers validly attached to it.
    pub(super) timers: Vec<Vec<usize>>,
    /// The nodes directly in each scope: the process (`None`) or a sub-process, in file order.
    members: HashMap<Option<usize>, Vec<usize>>,
    /// Whether the graph is whole enough for the flow-following checks.
    pub(super) whole: bool,
}

impl<'a> ProcessCheck<'a> {
    pub(super) fn new(
        doc: &'a Document,
        p: &'a Process,
        unsupported: &'a HashSet<&'a str>,
    ) -> Self {
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

    pub(super) fn node(&self, i: usize) -> Option<&'a Node> {
        self.p.nodes.get(i)
    }

    pub(super) fn flow(&self, i: usize) -> Option<&'a SequenceFlow> {
        self.p.flows.get(i)
    }

    pub(super) fn kind(&self, i: usize) -> Option<&'a NodeKind> {
        self.node(i).map(|n| &n.kind)
    }

    pub(super) fn outs(&self, i: usize) -> &[usize] {
        self.outs.get(i).map_or(&[], Vec::as_slice)
    }

    pub(super) fn ins(&self, i: usize) -> &[usize] {
        self.ins.get(i).map_or(&[], Vec::as_slice)
    }

    pub(super) fn parent(&self, i: usize) -> Option<usize> {
        self.parent.get(i).copied().flatten()
    }

    pub(super) fn target(&self, f: usize) -> Option<usize> {
        self.ends.get(f).copied().flatten().map(|(_, t)| t)
    }

    /// The scope a node is in, in words: `quy trình P` or `quy trình con S`.
    pub(super) fn scope_words(&self, scope: Option<usize>) -> String {
        match scope.and_then(|s| self.node(s)) {
            Some(s) => format!("quy trình con {}", s.id),
            None => format!("quy trình {}", self.p.id),
        }
    }

    pub(super) fn members(&self, scope: Option<usize>) -> &[usize] {
        self.members.get(&scope).map_or(&[], Vec::as_slice)
    }

    pub(super) fn start_of(&self, scope: Option<usize>) -> Option<usize> {
        self.members(scope)
            .iter()
            .copied()
            .find(|&i| matches!(self.kind(i), Some(NodeKind::StartEvent)))
    }
}
