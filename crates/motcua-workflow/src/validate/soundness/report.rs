//! The game's findings in words: where tokens pile up, which join waits for which flow, and the
//! marking in which the process cannot go on, named by the flows and steps holding tokens.

use super::{Marking, Stop, TokenGame};
use crate::model::NodeKind;
use crate::validate::Problems;
use crate::validate::process::ProcessCheck;
use crate::validate::words::{at, describe, flow_at, lower_first};
use std::collections::HashSet;

impl TokenGame {
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

    pub(super) fn describe_marking(&self, c: &ProcessCheck<'_>, m: &Marking) -> String {
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

    pub(super) fn report_stop(&self, c: &ProcessCheck<'_>, stop: Stop, out: &mut Problems) {
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
    pub(super) fn report_stuck(
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

/// `20 000`.
pub(super) fn group_thousands(n: usize) -> String {
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
    fn thousands() {
        assert_eq!(group_thousands(20_000), "20 000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_234_567), "1 234 567");
    }
}
