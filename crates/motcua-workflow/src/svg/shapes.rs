//! One shape of the diagram: picks what to draw for its kind, then its name, then the marks of
//! its state. Containers (pools, lanes) and activities are drawn here; the smaller symbols live in
//! `symbols`.

use std::fmt::Write as _;

use super::geometry::{R, label_rect, rect};
use super::kind::{Kind, State, TaskType};
use super::paint::Paint;
use super::text::{Anchor, N, truncate, wrap};
use super::{BAND, CHAR_W, LINE_H, PAPER, Painter};
use crate::model::Shape;

impl Painter<'_> {
    pub(super) fn shape(&mut self, shape: &Shape, kind: &Kind) {
        let ctx = &self.ctx;
        let el = ctx.elements.get(shape.element.as_str()).copied();
        let state = ctx.state(&shape.element);
        let tag = el.map_or("unknown", |e| e.tag.as_str());
        let name = el.map_or("", |e| e.name.trim());
        let title = if name.is_empty() {
            shape.element.clone()
        } else {
            name.to_string()
        };
        let mut paint = if *kind == Kind::Unknown {
            Paint::unknown()
        } else {
            Paint::of(state)
        };
        // A current container keeps its white: only its outline and halo say it is current.
        if state == State::Current
            && matches!(
                kind,
                Kind::Participant { .. } | Kind::Lane { .. } | Kind::Expanded { .. }
            )
        {
            paint.fill = PAPER;
        }
        let r = rect(&shape.bounds);
        self.open_group(tag, &shape.element, state, &title);
        match *kind {
            Kind::Participant {
                black_box,
                horizontal,
            } => self.pool(r, name, paint, black_box, horizontal, 1.5, true),
            Kind::Lane { horizontal } => self.pool(r, name, paint, false, horizontal, 1.0, false),
            Kind::Task(t) => {
                self.rounded(r, paint, 1.5);
                let marked = self.task_marker(r, t, paint);
                let lines = wrap(name, r.w - 12.0, CHAR_W);
                // Centred, unless the text would run into the marker: then below it.
                let top = r.cy() - lines.len() as f64 * LINE_H / 2.0;
                let (cy, h) = if marked && top < r.y + 22.0 {
                    ((r.y + 22.0 + r.bottom() - 3.0) / 2.0, r.h - 25.0)
                } else {
                    (r.cy(), r.h - 8.0)
                };
                self.text_box(r.cx(), cy, r.w - 12.0, h, name, paint, false);
            }
            Kind::Collapsed {
                call,
                transaction,
                ad_hoc,
            } => {
                self.rounded(r, paint, if call { 4.0 } else { 1.5 });
                if transaction {
                    self.inner_border(r, paint);
                }
                self.collapsed_marker(r, ad_hoc, paint);
                let h = r.h - 24.0;
                self.text_box(r.cx(), r.cy() - 7.0, r.w - 12.0, h, name, paint, false);
            }
            Kind::Expanded {
                call,
                transaction,
                ad_hoc,
            } => {
                self.rounded(r, paint, if call { 4.0 } else { 1.5 });
                if transaction {
                    self.inner_border(r, paint);
                }
                if ad_hoc {
                    self.tilde(r.cx(), r.bottom() - 10.0, paint);
                }
                let lines = truncate(wrap(name, r.w - 20.0, CHAR_W), 2, r.w - 20.0, CHAR_W);
                self.lines(r.x + 10.0, r.y + 18.0, &lines, Anchor::Start, paint, false);
            }
            Kind::Event {
                pos,
                def,
                interrupting,
            } => self.event(r, pos, def, interrupting, paint),
            Kind::Gateway(g) => self.gateway(r, g, paint),
            Kind::DataObject { io } => self.data_object(r, io, paint),
            Kind::DataStore => self.data_store(r, paint),
            Kind::Message => self.envelope_shape(r, paint),
            Kind::TextAnnotation => {
                let arm = r.w.min(10.0);
                w!(
                    self.out,
                    r#"<path d="M{} {}H{}V{}H{}" fill="none"{}/>"#,
                    N(r.x + arm),
                    N(r.y),
                    N(r.x),
                    N(r.bottom()),
                    N(r.x + arm),
                    paint.stroke(1.5)
                );
                let lines = wrap(name, r.w - 10.0, CHAR_W);
                let top = r.y + 5.0 + LINE_H - 3.0;
                let free = r.h - 10.0 - lines.len() as f64 * LINE_H;
                let top = if free > 0.0 { top + free / 2.0 } else { top };
                self.lines(r.x + 6.0, top, &lines, Anchor::Start, paint, false);
            }
            Kind::Group => {
                w!(
                    self.out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="none" stroke-dasharray="10 4 2 4"{}/>"#,
                    N(r.x),
                    N(r.y),
                    N(r.w),
                    N(r.h),
                    paint.stroke(1.5)
                );
                if let Some(l) = label_rect(shape.label.as_ref()) {
                    self.external_label(l, name, paint);
                } else {
                    let lines = truncate(wrap(name, r.w - 20.0, CHAR_W), 2, r.w - 20.0, CHAR_W);
                    self.lines(r.cx(), r.y + 16.0, &lines, Anchor::Middle, paint, false);
                }
            }
            Kind::Conversation => {
                let (x, y, w, h) = (r.x, r.y, r.w, r.h);
                w!(
                    self.out,
                    r#"<path d="M{} {}H{}L{} {}L{} {}H{}L{} {}Z"{}/>"#,
                    N(x + w * 0.25),
                    N(y),
                    N(x + w * 0.75),
                    N(x + w),
                    N(y + h / 2.0),
                    N(x + w * 0.75),
                    N(y + h),
                    N(x + w * 0.25),
                    N(x),
                    N(y + h / 2.0),
                    paint.outline(1.5)
                );
            }
            Kind::Other => {
                w!(
                    self.out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="4"{}/>"#,
                    N(r.x),
                    N(r.y),
                    N(r.w),
                    N(r.h),
                    paint.outline(1.5)
                );
                let h = r.h - 8.0;
                self.text_box(r.cx(), r.cy(), r.w - 12.0, h, name, paint, false);
            }
            Kind::Unknown => {
                w!(
                    self.out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" stroke-dasharray="4 3"{}/>"#,
                    N(r.x),
                    N(r.y),
                    N(r.w),
                    N(r.h),
                    paint.outline(1.0)
                );
            }
        }
        if kind.external_label() {
            match label_rect(shape.label.as_ref()) {
                Some(l) => self.external_label(l, name, paint),
                None => {
                    let l = R {
                        x: r.cx() - 45.0,
                        y: r.bottom() + 5.0,
                        w: 90.0,
                        h: 0.0,
                    };
                    self.external_label(l, name, paint);
                }
            }
        }
        match state {
            State::Current => self.halo(r, kind),
            State::Done => self.check(r, kind),
            State::Normal => {}
        }
        self.out.push_str("</g>\n");
    }

    // --- Containers -------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn pool(
        &mut self,
        r: R,
        name: &str,
        paint: Paint,
        black_box: bool,
        horizontal: bool,
        width: f64,
        filled: bool,
    ) {
        let fill = if filled || paint.fill != PAPER {
            paint.fill
        } else {
            "none"
        };
        w!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>"#,
            N(r.x),
            N(r.y),
            N(r.w),
            N(r.h),
            fill,
            paint.stroke(width)
        );
        if black_box {
            let lines = truncate(wrap(name, r.w - 20.0, CHAR_W), 2, r.w - 20.0, CHAR_W);
            self.centered(r.cx(), r.cy(), &lines, paint, false);
            return;
        }
        let band = BAND.min(if horizontal { r.w } else { r.h });
        if horizontal {
            if filled {
                w!(
                    self.out,
                    r#"<path d="M{} {}V{}" fill="none"{}/>"#,
                    N(r.x + band),
                    N(r.y),
                    N(r.bottom()),
                    paint.stroke(width)
                );
            }
            let lines = truncate(wrap(name, r.h - 10.0, CHAR_W), 2, r.h - 10.0, CHAR_W);
            let (cx, cy) = (r.x + band / 2.0, r.cy());
            w!(
                self.out,
                r#"<g transform="rotate(-90 {} {})">"#,
                N(cx),
                N(cy)
            );
            self.centered(cx, cy, &lines, paint, false);
            self.out.push_str("</g>");
        } else {
            if filled {
                w!(
                    self.out,
                    r#"<path d="M{} {}H{}" fill="none"{}/>"#,
                    N(r.x),
                    N(r.y + band),
                    N(r.right()),
                    paint.stroke(width)
                );
            }
            let lines = truncate(wrap(name, r.w - 10.0, CHAR_W), 2, r.w - 10.0, CHAR_W);
            self.centered(r.cx(), r.y + band / 2.0, &lines, paint, false);
        }
    }

    // --- Activities -------------------------------------------------------------------------

    fn rounded(&mut self, r: R, paint: Paint, width: f64) {
        let rx = 10.0_f64.min(r.w / 2.0).min(r.h / 2.0);
        w!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}"{}/>"#,
            N(r.x),
            N(r.y),
            N(r.w),
            N(r.h),
            N(rx),
            paint.outline(width)
        );
    }

    fn inner_border(&mut self, r: R, paint: Paint) {
        if r.w <= 8.0 || r.h <= 8.0 {
            return;
        }
        let rx = 7.0_f64.min((r.w - 6.0) / 2.0).min((r.h - 6.0) / 2.0);
        w!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="none"{}/>"#,
            N(r.x + 3.0),
            N(r.y + 3.0),
            N(r.w - 6.0),
            N(r.h - 6.0),
            N(rx),
            paint.stroke(1.0)
        );
    }

    /// The [+] of a collapsed sub-process, with a tilde on its left when ad hoc.
    fn collapsed_marker(&mut self, r: R, ad_hoc: bool, paint: Paint) {
        let (x, y) = (r.cx() - 7.0, r.bottom() - 18.0);
        w!(
            self.out,
            r#"<path d="M{} {}h14v14h-14zM{} {}v8M{} {}h8" fill="none"{}/>"#,
            N(x),
            N(y),
            N(x + 7.0),
            N(y + 3.0),
            N(x + 3.0),
            N(y + 7.0),
            paint.stroke(1.2)
        );
        if ad_hoc {
            self.tilde(r.cx() - 20.0, y + 7.0, paint);
        }
    }

    fn tilde(&mut self, cx: f64, cy: f64, paint: Paint) {
        w!(
            self.out,
            r#"<path d="M{} {}c3-5 5-5 8 0s5 5 8 0" fill="none"{}/>"#,
            N(cx - 8.0),
            N(cy + 1.0),
            paint.stroke(1.5)
        );
    }

    /// Draws the marker of the task's type, if it has one and the task is big enough for it.
    fn task_marker(&mut self, r: R, t: TaskType, paint: Paint) -> bool {
        if r.w < 30.0 || r.h < 30.0 {
            return false;
        }
        let (x, y) = (r.x + 6.0, r.y + 6.0);
        let ink = paint.ink;
        let fill = paint.fill;
        let body = match t {
            TaskType::Plain => return false,
            TaskType::User => format!(
                concat!(
                    r#"<path d="M0 16v-3c0-3 3-5 5-5.5h6c2 .5 5 2.5 5 5.5v3Z" fill="{f}"/>"#,
                    r#"<circle cx="8" cy="4.5" r="4" fill="{f}"/>"#,
                    r#"<path d="M5 16v-3M11 16v-3" fill="none"/>"#
                ),
                f = fill
            ),
            TaskType::Service => format!(
                concat!(
                    r#"<circle cx="8" cy="8" r="6" fill="none" stroke-width="3" stroke-dasharray="2.36 2.36"/>"#,
                    r#"<circle cx="8" cy="8" r="5" fill="{f}"/><circle cx="8" cy="8" r="2" fill="{f}"/>"#
                ),
                f = fill
            ),
            TaskType::Script => format!(
                concat!(
                    r#"<path d="M3 0h12c-3 3-3 5 0 8s3 5 0 8H1c3-3 3-5 0-8s-3-5 0-8Z" fill="{f}"/>"#,
                    r#"<path d="M4 4h7M5 8h7M4 12h7" fill="none"/>"#
                ),
                f = fill
            ),
            TaskType::Send => format!(
                concat!(
                    r#"<rect x="0" y="2" width="17" height="12" fill="{i}"/>"#,
                    r#"<path d="M0 2l8.5 6L17 2" fill="none" stroke="{f}"/>"#
                ),
                i = ink,
                f = fill
            ),
            TaskType::Receive => format!(
                concat!(
                    r#"<rect x="0" y="2" width="17" height="12" fill="{f}"/>"#,
                    r#"<path d="M0 2l8.5 6L17 2" fill="none"/>"#
                ),
                f = fill
            ),
            TaskType::Manual => format!(
                concat!(
                    r#"<path d="M0 7c0-2 1-3 3-3h10c1.5 0 1.5 2 0 2H8h7c1.5 0 1.5 2 0 2H8h6.5c1.5 0 1.5 2 0 2H8h5c1.5 0 1.5 2 0 2H3c-2 0-3-1-3-3Z" fill="{f}"/>"#,
                    r#"<path d="M5 4l3-3c1-1 2.5 0 1.5 1L8 4" fill="{f}"/>"#
                ),
                f = fill
            ),
            TaskType::BusinessRule => format!(
                concat!(
                    r#"<rect x="0" y="2" width="17" height="13" fill="{f}"/>"#,
                    r#"<rect x="0" y="2" width="17" height="4" fill="{i}"/>"#,
                    r#"<path d="M0 10.5h17M5 6v9" fill="none"/>"#
                ),
                i = ink,
                f = fill
            ),
        };
        w!(
            self.out,
            r#"<g transform="translate({} {})" stroke="{}" stroke-width="1">{}</g>"#,
            N(x),
            N(y),
            ink,
            body
        );
        true
    }
}
