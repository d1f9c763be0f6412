//! Flows and associations: the line with its arrowheads and dashes by kind, the default-flow
//! slash, and the name placed where the file says or at the middle of the path.

use std::fmt::Write as _;

use super::Painter;
use super::geometry::{label_rect, points};
use super::kind::{EdgeKind, State};
use super::paint::Paint;
use super::text::{Anchor, N, wrap};
use super::{SMALL_CHAR_W, SMALL_LINE_H};
use crate::model::Edge;

impl Painter<'_> {
    pub(super) fn edge(&mut self, edge: &Edge) {
        let ctx = &self.ctx;
        let kind = ctx.edge_kind(edge);
        let state = if kind == EdgeKind::Unknown {
            State::Normal
        } else {
            ctx.state(&edge.element)
        };
        let el = ctx.elements.get(edge.element.as_str()).copied();
        let tag = el.map_or("unknown", |e| e.tag.as_str());
        let name = el.map_or("", |e| e.name.trim());
        let title = if !name.is_empty() {
            name.to_string()
        } else if let Some(&(s, t, _)) = ctx.flows.get(edge.element.as_str()) {
            format!("{} → {}", ctx.name_of(s), ctx.name_of(t))
        } else {
            edge.element.clone()
        };
        let pts = points(edge);
        let paint = if kind == EdgeKind::Unknown {
            Paint::unknown()
        } else {
            Paint::of(state)
        };
        self.open_group(tag, &edge.element, state, &title);
        if pts.len() >= 2 {
            let mut d = String::new();
            for (i, (x, y)) in pts.iter().enumerate() {
                w!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, N(*x), N(*y));
            }
            let p = &self.ctx.prefix;
            let (width, dash, start, end) = match kind {
                EdgeKind::Sequence { conditional, .. } => {
                    let arrow = match state {
                        State::Normal => "seq",
                        State::Current => "seq-current",
                        State::Done => "seq-done",
                    };
                    (1.5, "", if conditional { "cond" } else { "" }, arrow)
                }
                EdgeKind::Message => (1.5, "10 6", "circle", "open"),
                EdgeKind::Association => (1.5, "0.5 5", "", ""),
                EdgeKind::DataAssociation => (1.5, "0.5 5", "", "line"),
                EdgeKind::Other => (1.5, "", "", ""),
                EdgeKind::Unknown => (1.0, "4 3", "", ""),
            };
            let mut attrs = paint.stroke(width);
            if !dash.is_empty() {
                w!(attrs, r#" stroke-dasharray="{dash}""#);
                if dash.starts_with("0.5") {
                    attrs.push_str(r#" stroke-linecap="round""#);
                }
            }
            if !start.is_empty() {
                w!(attrs, r#" marker-start="url(#{p}-{start})""#);
            }
            if !end.is_empty() {
                w!(attrs, r#" marker-end="url(#{p}-{end})""#);
            }
            w!(self.out, r#"<path d="{d}" fill="none"{attrs}/>"#);
            if let EdgeKind::Sequence { default: true, .. } = kind {
                self.default_slash(&pts, paint);
            }
        }
        if !name.is_empty() {
            match label_rect(edge.label.as_ref()) {
                Some(l) => self.external_label(l, name, paint),
                None => self.midpoint_label(&pts, name, paint),
            }
        }
        self.out.push_str("</g>\n");
    }

    /// The slash across a default flow, near its source.
    fn default_slash(&mut self, pts: &[(f64, f64)], paint: Paint) {
        let Some(&(x0, y0)) = pts.first() else { return };
        let Some(&(x1, y1)) = pts.iter().skip(1).find(|&&(x, y)| x != x0 || y != y0) else {
            return;
        };
        let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        if !len.is_finite() || len < 1.0 {
            return;
        }
        let (dx, dy) = ((x1 - x0) / len, (y1 - y0) / len);
        let at = 10.0_f64.min(len / 2.0);
        let (mx, my) = (x0 + dx * at, y0 + dy * at);
        // Perpendicular, leaning back towards the source.
        let (px, py) = (-dy, dx);
        let (ax, ay) = (px * 6.0 - dx * 3.0, py * 6.0 - dy * 3.0);
        w!(
            self.out,
            r#"<path d="M{} {}L{} {}" fill="none"{}/>"#,
            N(mx - ax),
            N(my - ay),
            N(mx + ax),
            N(my + ay),
            paint.stroke(1.5)
        );
    }

    /// A flow's name at the middle of its path when the file gives no label bounds.
    fn midpoint_label(&mut self, pts: &[(f64, f64)], name: &str, paint: Paint) {
        type Segment = ((f64, f64), (f64, f64), f64);
        let segments: Vec<Segment> = pts
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some((*a, *b, ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt())),
                _ => None,
            })
            .collect();
        let total: f64 = segments.iter().map(|s| s.2).sum();
        let Some(&first) = pts.first() else { return };
        let mut at = (first, false);
        let mut left = total / 2.0;
        for (a, b, len) in &segments {
            if *len > 0.0 && left <= *len {
                let t = left / len;
                let vertical = (b.0 - a.0).abs() < (b.1 - a.1).abs();
                at = ((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t), vertical);
                break;
            }
            left -= len;
        }
        let ((x, y), vertical) = at;
        let lines = wrap(name, 90.0, SMALL_CHAR_W);
        if vertical {
            let top = y - lines.len() as f64 * SMALL_LINE_H / 2.0 + SMALL_LINE_H - 3.0;
            self.lines(x + 5.0, top, &lines, Anchor::Start, paint, true);
        } else {
            let top = y - 5.0 - (lines.len() as f64 - 1.0) * SMALL_LINE_H;
            self.lines(x, top, &lines, Anchor::Middle, paint, true);
        }
    }
}
