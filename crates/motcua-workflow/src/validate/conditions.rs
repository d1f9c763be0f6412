//! Conditions and default branches: a condition must parse and sit on a branch of an exclusive
//! or inclusive gateway, every other branch of such a gateway needs one, and a gateway whose
//! conditions may all be false needs a default branch, or the dossier would stop there.

use super::Problems;
use super::process::ProcessCheck;
use super::words::{describe, flow_at, lower_first};
use crate::expr::Expr;
use crate::model::{NodeKind, SequenceFlow};

impl ProcessCheck<'_> {
    pub(super) fn conditions(&self, out: &mut Problems) {
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
}
