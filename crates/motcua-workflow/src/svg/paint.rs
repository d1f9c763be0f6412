//! How an element's state shows: its colours, the class of its group, the dashed halo around a
//! current element and the check mark on a completed one (so that the state reads without colour
//! too).

use std::fmt::Write as _;

use super::geometry::R;
use super::kind::{Kind, State};
use super::text::{N, clip, esc, token};
use super::{
    CURRENT, CURRENT_FILL, DONE_FILL, DONE_INK, DONE_MARK, DONE_TEXT, HALO, INK, PAPER, Painter,
    TEXT, UNKNOWN_FILL, UNKNOWN_INK,
};

/// Stroke and fill of a shape in a given state.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paint {
    pub(super) ink: &'static str,
    pub(super) fill: &'static str,
    pub(super) text: &'static str,
    /// Added to every outline width.
    extra: f64,
}

impl Paint {
    pub(super) fn of(state: State) -> Paint {
        match state {
            State::Normal => Paint {
                ink: INK,
                fill: PAPER,
                text: TEXT,
                extra: 0.0,
            },
            State::Current => Paint {
                ink: CURRENT,
                fill: CURRENT_FILL,
                text: TEXT,
                extra: 2.5,
            },
            State::Done => Paint {
                ink: DONE_INK,
                fill: DONE_FILL,
                text: DONE_TEXT,
                extra: 0.0,
            },
        }
    }
    pub(super) fn unknown() -> Paint {
        Paint {
            ink: UNKNOWN_INK,
            fill: UNKNOWN_FILL,
            text: DONE_TEXT,
            extra: 0.0,
        }
    }
    /// ` stroke="…" stroke-width="…"`.
    pub(super) fn stroke(&self, width: f64) -> String {
        format!(
            r#" stroke="{}" stroke-width="{}""#,
            self.ink,
            N(width + self.extra)
        )
    }
    /// ` fill="…" stroke="…" stroke-width="…"`.
    pub(super) fn outline(&self, width: f64) -> String {
        format!(r#" fill="{}"{}"#, self.fill, self.stroke(width))
    }
}

impl Painter<'_> {
    pub(super) fn open_group(&mut self, tag: &str, id: &str, state: State, title: &str) {
        let tag = token(tag);
        let class = match state {
            State::Normal => "",
            State::Current => " current",
            State::Done => " done",
        };
        w!(
            self.out,
            "<g class=\"bpmn-el bpmn-{tag}{class}\" data-element-id=\"{}\"><title>{}</title>",
            esc(id),
            esc(&clip(title))
        );
    }

    // --- Highlight --------------------------------------------------------------------------

    /// A dashed outline around a current element, so that it shows without colour too.
    pub(super) fn halo(&mut self, r: R, kind: &Kind) {
        let attrs =
            format!(r#" fill="none" stroke="{CURRENT}" stroke-width="2.5" stroke-dasharray="6 4""#);
        match kind {
            Kind::Event { .. } => {
                w!(
                    self.out,
                    r#"<circle cx="{}" cy="{}" r="{}"{attrs}/>"#,
                    N(r.cx()),
                    N(r.cy()),
                    N(r.w.min(r.h) / 2.0 + HALO)
                );
            }
            Kind::Gateway(_) => {
                let d = HALO * 1.41;
                w!(
                    self.out,
                    r#"<path d="M{} {}L{} {}L{} {}L{} {}Z"{attrs}/>"#,
                    N(r.cx()),
                    N(r.y - d),
                    N(r.right() + d),
                    N(r.cy()),
                    N(r.cx()),
                    N(r.bottom() + d),
                    N(r.x - d),
                    N(r.cy())
                );
            }
            _ => {
                w!(
                    self.out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="14"{attrs}/>"#,
                    N(r.x - HALO),
                    N(r.y - HALO),
                    N(r.w + 2.0 * HALO),
                    N(r.h + 2.0 * HALO)
                );
            }
        }
        // A "▶" pointing at the element from its top left corner.
        let (tx, ty) = match kind {
            Kind::Event { .. } | Kind::Gateway(_) => (r.x - HALO - 12.0, r.cy()),
            _ => (r.x - HALO - 12.0, r.y + 12.0),
        };
        w!(
            self.out,
            r#"<path d="M{} {}l9 6l-9 6Z" fill="{CURRENT}" stroke="none"/>"#,
            N(tx),
            N(ty - 6.0)
        );
    }

    /// A check mark in a green disc at the top right of a completed element.
    pub(super) fn check(&mut self, r: R, kind: &Kind) {
        let (cx, cy) = match kind {
            Kind::Event { .. } | Kind::Gateway(_) => (r.right() - 2.0, r.y + 2.0),
            _ => (r.right() - 4.0, r.y + 4.0),
        };
        w!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="7" fill="{DONE_MARK}" stroke="{PAPER}" stroke-width="1.5"/><path d="M{} {}l2.5 2.5l4.5 -5" fill="none" stroke="{PAPER}" stroke-width="2" stroke-linecap="round"/>"#,
            N(cx),
            N(cy),
            N(cx - 3.5),
            N(cy)
        );
    }
}
