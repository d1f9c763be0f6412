//! Draws a [`Document`] with BPMN DI as SVG, every element drawn (executed or not), the current
//! steps highlighted.
//!
//! The notation follows what bpmn.io draws: pools and lanes with their name written vertically in
//! a left band, rounded tasks with a type marker, events as circles (thin start, thick end, double
//! intermediate and boundary, dashed when non-interrupting) with their definition's marker,
//! gateways as diamonds, data objects, data stores, annotations, groups; sequence flows with a
//! filled arrowhead, message flows dashed, associations dotted.
//!
//! The output is self-contained (no script, no external resource, no `<style>`: presentation
//! attributes only), deterministic (same input, same bytes) and never fails on strange input:
//! non-finite or huge coordinates are clamped, unknown elements are drawn as neutral grey shapes.

use crate::model::{Document, Edge, Shape};

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        let _ = write!($out, $($arg)*);
    };
}

mod edges;
mod geometry;
mod header;
mod kind;
mod paint;
mod shapes;
mod symbols;
#[cfg(test)]
mod tests;
mod text;

use geometry::{rect, view_box};
use kind::{Context, EdgeKind, Kind};
/// Why a file cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SvgError {
    #[error("Tệp BPMN không có phần sơ đồ (BPMN DI) nên không vẽ được.")]
    NoDiagram,
}

/// What to draw besides the diagram itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderOptions<'a> {
    /// Ids of the elements to mark as current (class `current`, thick blue outline, dashed halo).
    pub highlight: &'a [&'a str],
    /// Ids of the completed elements (class `done`, muted, with a check mark).
    pub done: &'a [&'a str],
    /// The `<title>` of the picture; default: the first process's name.
    pub title: Option<&'a str>,
    /// Prefix of the ids inside the SVG (markers, title), so that several diagrams can be inlined
    /// in one page. Characters other than ASCII letters, digits, `-` and `_` are dropped.
    pub id_prefix: &'a str,
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            highlight: &[],
            done: &[],
            title: None,
            id_prefix: "bpmn",
        }
    }
}

/// The SVG text; `highlight` are ids of elements to mark as current.
pub fn render(doc: &Document, highlight: &[&str]) -> Result<String, SvgError> {
    render_with(
        doc,
        &RenderOptions {
            highlight,
            ..RenderOptions::default()
        },
    )
}

/// The SVG text, with the current and completed steps marked as `options` says.
pub fn render_with(doc: &Document, options: &RenderOptions<'_>) -> Result<String, SvgError> {
    let diagram = doc.diagram.as_ref().ok_or(SvgError::NoDiagram)?;
    if diagram.shapes.is_empty() && diagram.edges.is_empty() {
        return Err(SvgError::NoDiagram);
    }
    let ctx = Context::new(doc, options);
    let mut p = Painter {
        out: String::with_capacity(4096 + 600 * diagram.shapes.len()),
        ctx,
    };

    // Draw order: pools, lanes, expanded sub-processes (outer first), sequence flows and
    // associations, activities, the other shapes, boundary events on top of their activity,
    // groups, message flows. Flow nodes come after the lines so that their labels stay readable.
    let mut items: Vec<(u8, f64, usize, Item<'_>)> = Vec::new();
    for (i, shape) in diagram.shapes.iter().enumerate() {
        let kind = p.ctx.shape_kind(shape);
        let r = rect(&shape.bounds);
        let area = if matches!(kind.layer(), 0..=2) {
            -(r.w * r.h)
        } else {
            0.0
        };
        items.push((kind.layer(), area, i, Item::Shape(shape, kind)));
    }
    for (i, edge) in diagram.edges.iter().enumerate() {
        let layer = if p.ctx.edge_kind(edge) == EdgeKind::Message {
            10
        } else {
            3
        };
        items.push((layer, 0.0, i, Item::Edge(edge)));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));

    let view = view_box(diagram.shapes.iter(), diagram.edges.iter());
    p.header(doc, diagram.shapes.len(), diagram.edges.len(), view);
    for (_, _, _, item) in &items {
        match item {
            Item::Shape(shape, kind) => p.shape(shape, kind),
            Item::Edge(edge) => p.edge(edge),
        }
    }
    p.out.push_str("</g>\n</svg>\n");
    Ok(p.out)
}

enum Item<'a> {
    Shape(&'a Shape, Kind),
    Edge(&'a Edge),
}

/// The SVG being written. Its methods live with what they draw: `header`, `shapes`, `symbols`,
/// `edges`, `text`, `paint`.
struct Painter<'a> {
    out: String,
    ctx: Context<'a>,
}

// ---------------------------------------------------------------------------------------------
// Colours and sizes.

const INK: &str = "#22242a";
const PAPER: &str = "#fff";
const TEXT: &str = "#0b0c0c";
const CURRENT: &str = "#1d70b8";
const CURRENT_FILL: &str = "#e8f1f8";
const DONE_INK: &str = "#6f777b";
const DONE_FILL: &str = "#f3f2f1";
const DONE_TEXT: &str = "#505a5f";
const DONE_MARK: &str = "#00703c";
const UNKNOWN_INK: &str = "#b1b4b6";
const UNKNOWN_FILL: &str = "#f3f2f1";

/// Width of one character at 12px, roughly (bpmn.io's labels use a 12px sans-serif).
const CHAR_W: f64 = 6.5;
const LINE_H: f64 = 14.0;
/// External labels (events, gateways, data, flows) are 11px.
const SMALL_CHAR_W: f64 = 6.0;
const SMALL_LINE_H: f64 = 13.0;
/// Coordinates beyond this are clamped: BPMN diagrams are never that large, and it keeps every
/// number short and finite.
const MAX_COORD: f64 = 1.0e6;
/// Width of the band holding the name of a pool or lane.
const BAND: f64 = 30.0;
const PADDING: f64 = 20.0;
/// The dashed halo of a current element lies this far outside it.
const HALO: f64 = 6.0;
