//! Rectangles and points from the file's DI, made safe to print: non-finite or huge coordinates
//! are clamped here once, so every drawing function can trust its numbers.

use super::{MAX_COORD, PADDING};
use crate::model::{Bounds, Edge, Shape};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct R {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl R {
    pub(super) fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub(super) fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    pub(super) fn right(&self) -> f64 {
        self.x + self.w
    }
    pub(super) fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

pub(super) fn fin(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-MAX_COORD, MAX_COORD)
    } else {
        0.0
    }
}

pub(super) fn rect(b: &Bounds) -> R {
    R {
        x: fin(b.x),
        y: fin(b.y),
        w: fin(b.width).max(0.0),
        h: fin(b.height).max(0.0),
    }
}

/// Label bounds worth using: present and not empty.
pub(super) fn label_rect(b: Option<&Bounds>) -> Option<R> {
    b.map(rect).filter(|r| r.w > 0.0 || r.h > 0.0)
}

pub(super) fn points(edge: &Edge) -> Vec<(f64, f64)> {
    edge.waypoints
        .iter()
        .map(|&(x, y)| (fin(x), fin(y)))
        .collect()
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ViewBox {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

pub(super) fn view_box<'a>(
    shapes: impl Iterator<Item = &'a Shape>,
    edges: impl Iterator<Item = &'a Edge>,
) -> ViewBox {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut add = |x: f64, y: f64| {
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    };
    let mut add_rect = |r: R| {
        add(r.x, r.y);
        add(r.right(), r.bottom());
    };
    for s in shapes {
        let r = rect(&s.bounds);
        add_rect(r);
        if let Some(l) = label_rect(s.label.as_ref()) {
            add_rect(l);
        }
    }
    for e in edges {
        for (x, y) in points(e) {
            add_rect(R {
                x,
                y,
                w: 0.0,
                h: 0.0,
            });
        }
        if let Some(l) = label_rect(e.label.as_ref()) {
            add_rect(l);
        }
    }
    if !min.0.is_finite() || !min.1.is_finite() || !max.0.is_finite() || !max.1.is_finite() {
        return ViewBox {
            x: 0.0,
            y: 0.0,
            w: 2.0 * PADDING,
            h: 2.0 * PADDING,
        };
    }
    ViewBox {
        x: min.0 - PADDING,
        y: min.1 - PADDING,
        w: (max.0 - min.0) + 2.0 * PADDING,
        h: (max.1 - min.1) + 2.0 * PADDING,
    }
}
