//! The small fixed symbols of BPMN: event circles with their definition's marker, gateway
//! diamonds, data objects, data stores and messages, drawn the way bpmn.io draws them.

use std::fmt::Write as _;

use super::Painter;
use super::geometry::R;
use super::kind::{EventDef, EventPos, GatewayType};
use super::paint::Paint;
use super::text::N;

impl Painter<'_> {
    // --- Events and gateways ----------------------------------------------------------------

    pub(super) fn event(
        &mut self,
        r: R,
        pos: EventPos,
        def: EventDef,
        interrupting: bool,
        paint: Paint,
    ) {
        let rad = (r.w.min(r.h) / 2.0).max(0.0);
        let (cx, cy) = (r.cx(), r.cy());
        let dash = if interrupting {
            ""
        } else {
            r#" stroke-dasharray="5.5 3""#
        };
        let width = match pos {
            EventPos::Start => 2.0,
            EventPos::End => 4.0,
            _ => 1.5,
        };
        w!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="{}"{}{}/>"#,
            N(cx),
            N(cy),
            N(rad),
            paint.outline(width),
            dash
        );
        if matches!(pos, EventPos::Catch | EventPos::Throw | EventPos::Boundary) && rad > 4.0 {
            w!(
                self.out,
                r#"<circle cx="{}" cy="{}" r="{}" fill="none"{}{}/>"#,
                N(cx),
                N(cy),
                N(rad - 3.0),
                paint.stroke(1.0),
                dash
            );
        }
        let throw = matches!(pos, EventPos::End | EventPos::Throw);
        self.event_marker(cx, cy, rad / 18.0, def, throw, paint);
    }

    /// The symbol of an event definition, drawn for a circle of radius 18 then scaled.
    fn event_marker(&mut self, cx: f64, cy: f64, scale: f64, def: EventDef, throw: bool, p: Paint) {
        let full = if throw { p.ink } else { p.fill };
        let body = match def {
            EventDef::None => return,
            EventDef::Message => format!(
                r#"<rect x="-9" y="-6.5" width="18" height="13" fill="{full}"/><path d="M-9 -6.5L0 1L9 -6.5" fill="none" stroke="{s}"/>"#,
                s = if throw { p.fill } else { p.ink }
            ),
            EventDef::Timer => format!(
                concat!(
                    r#"<circle r="11" fill="{f}"/>"#,
                    r#"<path d="M0,-8L0,-10.5M4,-6.9L5.2,-9.1M6.9,-4L9.1,-5.3M8,0L10.5,0M6.9,4L9.1,5.2M4,6.9L5.2,9.1M0,8L0,10.5M-4,6.9L-5.2,9.1M-6.9,4L-9.1,5.2M-8,0L-10.5,0M-6.9,-4L-9.1,-5.2M-4,-6.9L-5.2,-9.1M0 0L1 -7M0 0L5.5 2.5" fill="none"/>"#
                ),
                f = p.fill
            ),
            EventDef::Error => {
                format!(r#"<path d="M-9 9L-4 -7L1 2L7 -9L4 7L-1 -2Z" fill="{full}"/>"#)
            }
            EventDef::Signal => format!(r#"<path d="M0 -10L9 6H-9Z" fill="{full}"/>"#),
            EventDef::Escalation => format!(r#"<path d="M0 -10L7 8L0 2L-7 8Z" fill="{full}"/>"#),
            EventDef::Conditional => format!(
                r#"<rect x="-7" y="-9" width="14" height="18" fill="{f}"/><path d="M-4.5 -5H4.5M-4.5 -1.5H4.5M-4.5 2H4.5M-4.5 5.5H4.5" fill="none"/>"#,
                f = p.fill
            ),
            EventDef::Link => {
                format!(r#"<path d="M-9 -3H2V-8L10 0L2 8V3H-9Z" fill="{full}"/>"#)
            }
            EventDef::Compensate => {
                format!(r#"<path d="M-1 -7L-10 0L-1 7ZM9 -7L0 0L9 7Z" fill="{full}"/>"#)
            }
            EventDef::Cancel => format!(
                r#"<path d="M-7 -7L7 7M7 -7L-7 7" fill="none" stroke-width="{}" stroke-linecap="{}"/>"#,
                if throw { 4.5 } else { 3.0 },
                if throw { "butt" } else { "round" }
            ),
            EventDef::Terminate => format!(r#"<circle r="11" fill="{i}"/>"#, i = p.ink),
            EventDef::Multiple => format!(
                r#"<path d="M0 -9L8.56 -2.78L5.29 7.28H-5.29L-8.56 -2.78Z" fill="{full}"/>"#
            ),
            EventDef::ParallelMultiple => {
                format!(r#"<path d="M-3 -10h6v7h7v6h-7v7h-6v-7h-7v-6h7Z" fill="{full}"/>"#)
            }
        };
        w!(
            self.out,
            r#"<g transform="translate({} {}) scale({})" stroke="{}" stroke-width="1.5">{}</g>"#,
            N(cx),
            N(cy),
            N(scale),
            p.ink,
            body
        );
    }

    pub(super) fn gateway(&mut self, r: R, g: GatewayType, paint: Paint) {
        w!(
            self.out,
            r#"<path d="M{} {}L{} {}L{} {}L{} {}Z"{}/>"#,
            N(r.cx()),
            N(r.y),
            N(r.right()),
            N(r.cy()),
            N(r.cx()),
            N(r.bottom()),
            N(r.x),
            N(r.cy()),
            paint.outline(1.5)
        );
        let body = match g {
            GatewayType::Exclusive => {
                r#"<path d="M-8 -8L8 8M8 -8L-8 8" stroke-width="4" stroke-linecap="butt"/>"#
                    .to_string()
            }
            GatewayType::Parallel => {
                r#"<path d="M0 -12V12M-12 0H12" stroke-width="4" stroke-linecap="butt"/>"#
                    .to_string()
            }
            GatewayType::Inclusive => r#"<circle r="11" stroke-width="2.5"/>"#.to_string(),
            GatewayType::Complex => {
                r#"<path d="M0 -12V12M-12 0H12M-8.5 -8.5L8.5 8.5M8.5 -8.5L-8.5 8.5" stroke-width="3" stroke-linecap="butt"/>"#
                    .to_string()
            }
            GatewayType::EventBased => {
                r#"<circle r="12"/><circle r="9.5"/><path d="M0 -6.5L6.18 -2.01L3.82 5.26H-3.82L-6.18 -2.01Z" stroke-width="1.5"/>"#
                    .to_string()
            }
        };
        w!(
            self.out,
            r#"<g transform="translate({} {}) scale({})" fill="none" stroke="{}" stroke-width="1">{}</g>"#,
            N(r.cx()),
            N(r.cy()),
            N(r.w.min(r.h) / 50.0),
            paint.ink,
            body
        );
    }

    // --- Data and artifacts -----------------------------------------------------------------

    pub(super) fn data_object(&mut self, r: R, io: Option<bool>, paint: Paint) {
        let fold = (r.w.min(r.h) * 0.3).min(12.0);
        w!(
            self.out,
            r#"<path d="M{} {}H{}L{} {}V{}H{}Z"{}/><path d="M{} {}V{}H{}" fill="none"{}/>"#,
            N(r.x),
            N(r.y),
            N(r.right() - fold),
            N(r.right()),
            N(r.y + fold),
            N(r.bottom()),
            N(r.x),
            paint.outline(1.5),
            N(r.right() - fold),
            N(r.y),
            N(r.y + fold),
            N(r.right()),
            paint.stroke(1.0)
        );
        if let Some(output) = io {
            let fill = if output { paint.ink } else { paint.fill };
            w!(
                self.out,
                r#"<path d="M{} {}h7v-4l6 6l-6 6v-4h-7Z" fill="{}"{}/>"#,
                N(r.x + 4.0),
                N(r.y + 8.0),
                fill,
                paint.stroke(1.0)
            );
        }
    }

    pub(super) fn data_store(&mut self, r: R, paint: Paint) {
        let ry = (r.h * 0.15).min(10.0);
        let rx = r.w / 2.0;
        w!(
            self.out,
            concat!(
                r#"<path d="M{x} {top}V{low}A{rx} {ry} 0 0 0 {right} {low}V{top}"{o}/>"#,
                r#"<ellipse cx="{cx}" cy="{top}" rx="{rx}" ry="{ry}"{o}/>"#,
                r#"<path d="M{x} {l1}A{rx} {ry} 0 0 0 {right} {l1}M{x} {l2}A{rx} {ry} 0 0 0 {right} {l2}" fill="none"{s}/>"#
            ),
            x = N(r.x),
            right = N(r.right()),
            cx = N(r.cx()),
            top = N(r.y + ry),
            low = N(r.bottom() - ry),
            l1 = N(r.y + ry + 5.0),
            l2 = N(r.y + ry + 10.0),
            rx = N(rx),
            ry = N(ry),
            o = paint.outline(1.5),
            s = paint.stroke(1.0)
        );
    }

    pub(super) fn envelope_shape(&mut self, r: R, paint: Paint) {
        w!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}"{}/><path d="M{} {}L{} {}L{} {}" fill="none"{}/>"#,
            N(r.x),
            N(r.y),
            N(r.w),
            N(r.h),
            paint.outline(1.5),
            N(r.x),
            N(r.y),
            N(r.cx()),
            N(r.y + r.h * 0.55),
            N(r.right()),
            N(r.y),
            paint.stroke(1.0)
        );
    }
}
