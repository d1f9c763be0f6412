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

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};

use crate::model::{Bounds, Document, Edge, ElementRef, NodeKind, Shape};

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

// ---------------------------------------------------------------------------------------------
// Geometry.

#[derive(Debug, Clone, Copy, PartialEq)]
struct R {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl R {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

fn fin(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-MAX_COORD, MAX_COORD)
    } else {
        0.0
    }
}

fn rect(b: &Bounds) -> R {
    R {
        x: fin(b.x),
        y: fin(b.y),
        w: fin(b.width).max(0.0),
        h: fin(b.height).max(0.0),
    }
}

/// Label bounds worth using: present and not empty.
fn label_rect(b: Option<&Bounds>) -> Option<R> {
    b.map(rect).filter(|r| r.w > 0.0 || r.h > 0.0)
}

fn points(edge: &Edge) -> Vec<(f64, f64)> {
    edge.waypoints
        .iter()
        .map(|&(x, y)| (fin(x), fin(y)))
        .collect()
}

/// A number as SVG wants it: at most two decimals, no trailing zeros, never NaN.
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = (fin(self.0) * 100.0).round() / 100.0;
        if v == 0.0 {
            return f.write_str("0");
        }
        let s = format!("{v:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(s)
    }
}

#[derive(Debug, Clone, Copy)]
struct ViewBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn view_box<'a>(
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

// ---------------------------------------------------------------------------------------------
// Text.

/// Escapes text for XML content and attribute values, and drops what XML 1.0 cannot carry.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for a `<title>` or the description: at most 1000 characters.
fn clip(s: &str) -> String {
    const MAX: usize = 1000;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", s.get(..at).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// An id or class token: ASCII letters, digits, `-`, `_`.
fn token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Text longer than this is cut before it is laid out (the `<title>` keeps all of it).
const MAX_LABEL_CHARS: usize = 600;

/// The width of one character, in character widths: combining marks (Vietnamese written
/// decomposed) take none, narrow and wide letters a bit less or more.
fn char_width(c: char) -> f64 {
    match c {
        '\u{0300}'..='\u{036F}' => 0.0,
        'i' | 'l' | 'j' | 't' | 'f' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.55,
        'm' | 'w' | 'M' | 'W' => 1.45,
        c if c.is_uppercase() => 1.15,
        _ => 1.0,
    }
}

/// How wide `s` is drawn, roughly.
fn text_width(s: &str, char_w: f64) -> f64 {
    s.chars().map(char_width).sum::<f64>() * char_w
}

/// Splits `text` into lines no wider than `max_w` (words longer than a line are cut, after a
/// hyphen if they have one), keeping the line breaks of the text itself. Linear in the text.
fn wrap(text: &str, max_w: f64, char_w: f64) -> Vec<String> {
    let max_w = if max_w.is_finite() {
        max_w.max(char_w)
    } else {
        char_w
    };
    let text: String = if text.chars().count() > MAX_LABEL_CHARS {
        text.chars().take(MAX_LABEL_CHARS).chain(['…']).collect()
    } else {
        text.to_string()
    };
    let space = char_w;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split_whitespace() {
            let word_w = text_width(word, char_w);
            if !line.is_empty() && line_w + space + word_w <= max_w {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max_w {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // The word alone does not fit: cut it.
            for c in word.chars() {
                let c_w = char_width(c) * char_w;
                if line_w + c_w > max_w && !line.is_empty() {
                    // Rather after a hyphen ("Sub-" / "Process") than anywhere.
                    let rest = match line.rfind('-') {
                        Some(at) if at > 0 && at + 1 < line.len() => line.split_off(at + 1),
                        _ => String::new(),
                    };
                    lines.push(std::mem::take(&mut line));
                    line_w = text_width(&rest, char_w);
                    line = rest;
                }
                line.push(c);
                line_w += c_w;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Keeps at most `max` lines, the last one ending in "…" when some were dropped.
fn truncate(mut lines: Vec<String>, max: usize, max_w: f64, char_w: f64) -> Vec<String> {
    let max = max.max(1);
    if lines.len() <= max {
        return lines;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        let mut w = text_width(last, char_w) + char_w;
        while w > max_w {
            match last.pop() {
                Some(c) => w -= char_width(c) * char_w,
                None => break,
            }
        }
        let trimmed = last.trim_end().to_string();
        *last = format!("{trimmed}…");
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    Middle,
}

// ---------------------------------------------------------------------------------------------
// What each element is.

#[derive(Debug, Clone, Copy, PartialEq)]
enum EventPos {
    Start,
    End,
    Catch,
    Throw,
    Boundary,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EventDef {
    None,
    Message,
    Timer,
    Error,
    Signal,
    Escalation,
    Conditional,
    Link,
    Compensate,
    Cancel,
    Terminate,
    Multiple,
    ParallelMultiple,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TaskType {
    Plain,
    User,
    Service,
    Script,
    Send,
    Receive,
    Manual,
    BusinessRule,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum GatewayType {
    Exclusive,
    Parallel,
    Inclusive,
    EventBased,
    Complex,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Participant {
        black_box: bool,
        horizontal: bool,
    },
    Lane {
        horizontal: bool,
    },
    Task(TaskType),
    /// A collapsed sub-process, call activity or transaction.
    Collapsed {
        call: bool,
        transaction: bool,
        ad_hoc: bool,
    },
    Expanded {
        call: bool,
        transaction: bool,
        ad_hoc: bool,
    },
    Event {
        pos: EventPos,
        def: EventDef,
        interrupting: bool,
    },
    Gateway(GatewayType),
    DataObject {
        io: Option<bool>,
    },
    DataStore,
    Message,
    TextAnnotation,
    Group,
    Conversation,
    /// A known element this painter has no symbol for.
    Other,
    /// A shape whose element is not in the file.
    Unknown,
}

impl Kind {
    fn layer(&self) -> u8 {
        match self {
            Kind::Participant { .. } => 0,
            Kind::Lane { .. } => 1,
            Kind::Expanded { .. } => 2,
            // 3: sequence flows and associations.
            Kind::Task(_) | Kind::Collapsed { .. } | Kind::Other | Kind::Unknown => 4,
            Kind::DataObject { .. }
            | Kind::DataStore
            | Kind::Message
            | Kind::TextAnnotation
            | Kind::Conversation => 5,
            Kind::Gateway(_) => 6,
            Kind::Event {
                pos: EventPos::Boundary,
                ..
            } => 8,
            Kind::Event { .. } => 7,
            Kind::Group => 9,
            // 10: message flows.
        }
    }

    /// Whether the name is written outside the shape (below it, or at the DI label bounds).
    fn external_label(&self) -> bool {
        matches!(
            self,
            Kind::Event { .. }
                | Kind::Gateway(_)
                | Kind::DataObject { .. }
                | Kind::DataStore
                | Kind::Message
        )
    }
}

fn event_def(def: Option<&str>) -> EventDef {
    let Some(def) = def else {
        return EventDef::None;
    };
    let local = def.rsplit([':', '/']).next().unwrap_or(def);
    match local {
        "messageEventDefinition" => EventDef::Message,
        "timerEventDefinition" => EventDef::Timer,
        "errorEventDefinition" => EventDef::Error,
        "signalEventDefinition" => EventDef::Signal,
        "escalationEventDefinition" => EventDef::Escalation,
        "conditionalEventDefinition" => EventDef::Conditional,
        "linkEventDefinition" => EventDef::Link,
        "compensateEventDefinition" => EventDef::Compensate,
        "cancelEventDefinition" => EventDef::Cancel,
        "terminateEventDefinition" => EventDef::Terminate,
        "multiple" | "multipleEventDefinition" => EventDef::Multiple,
        "parallelMultiple" | "parallelMultipleEventDefinition" => EventDef::ParallelMultiple,
        _ => EventDef::None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EdgeKind {
    Sequence { default: bool, conditional: bool },
    Message,
    Association,
    DataAssociation,
    Other,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Normal,
    Current,
    Done,
}

enum Item<'a> {
    Shape(&'a Shape, Kind),
    Edge(&'a Edge),
}

/// Everything looked up once.
struct Context<'a> {
    elements: HashMap<&'a str, &'a ElementRef>,
    /// Boundary events known not to interrupt.
    non_interrupting: HashSet<&'a str>,
    default_flows: HashSet<&'a str>,
    /// Flow id → (source, target, has a condition).
    flows: HashMap<&'a str, (&'a str, &'a str, bool)>,
    /// Pools without a process.
    black_boxes: HashSet<&'a str>,
    highlight: HashSet<&'a str>,
    done: HashSet<&'a str>,
    prefix: String,
    title: Option<&'a str>,
}

impl<'a> Context<'a> {
    fn new(doc: &'a Document, options: &RenderOptions<'a>) -> Self {
        let mut elements = HashMap::new();
        for e in &doc.elements {
            elements.entry(e.id.as_str()).or_insert(e);
        }
        let mut non_interrupting = HashSet::new();
        let mut default_flows = HashSet::new();
        let mut flows = HashMap::new();
        for process in &doc.processes {
            for node in &process.nodes {
                match &node.kind {
                    NodeKind::BoundaryTimer {
                        interrupting: false,
                        ..
                    } => {
                        non_interrupting.insert(node.id.as_str());
                    }
                    NodeKind::ExclusiveGateway { default: Some(d) }
                    | NodeKind::InclusiveGateway { default: Some(d) } => {
                        default_flows.insert(d.as_str());
                    }
                    _ => {}
                }
            }
            for f in &process.flows {
                let conditional = f.condition.as_deref().is_some_and(|c| !c.trim().is_empty());
                flows.entry(f.id.as_str()).or_insert((
                    f.source.as_str(),
                    f.target.as_str(),
                    conditional,
                ));
            }
        }
        let black_boxes = doc
            .participants
            .iter()
            .filter(|p| p.process_ref.as_deref().is_none_or(str::is_empty))
            .map(|p| p.id.as_str())
            .collect();
        let mut prefix = token(options.id_prefix);
        if !prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
            prefix = format!("bpmn{prefix}");
        }
        Context {
            elements,
            non_interrupting,
            default_flows,
            flows,
            black_boxes,
            highlight: options.highlight.iter().copied().collect(),
            done: options.done.iter().copied().collect(),
            prefix,
            title: options.title,
        }
    }

    fn state(&self, id: &str) -> State {
        if self.highlight.contains(id) {
            State::Current
        } else if self.done.contains(id) {
            State::Done
        } else {
            State::Normal
        }
    }

    fn shape_kind(&self, shape: &Shape) -> Kind {
        let Some(el) = self.elements.get(shape.element.as_str()) else {
            return Kind::Unknown;
        };
        let r = rect(&shape.bounds);
        let horizontal = shape.is_horizontal.unwrap_or(true);
        // Tools that omit `isExpanded` still draw expanded sub-processes big.
        let expanded = shape.is_expanded.unwrap_or(r.w > 160.0 && r.h > 110.0);
        let activity = |call, transaction, ad_hoc, expanded: bool| {
            if expanded {
                Kind::Expanded {
                    call,
                    transaction,
                    ad_hoc,
                }
            } else {
                Kind::Collapsed {
                    call,
                    transaction,
                    ad_hoc,
                }
            }
        };
        let event = |pos| Kind::Event {
            pos,
            def: event_def(el.event_definition.as_deref()),
            interrupting: !self.non_interrupting.contains(el.id.as_str()),
        };
        match el.tag.as_str() {
            "participant" => Kind::Participant {
                black_box: self.black_boxes.contains(el.id.as_str()),
                horizontal,
            },
            "lane" => Kind::Lane { horizontal },
            "task" => Kind::Task(TaskType::Plain),
            "userTask" => Kind::Task(TaskType::User),
            "serviceTask" => Kind::Task(TaskType::Service),
            "scriptTask" => Kind::Task(TaskType::Script),
            "sendTask" => Kind::Task(TaskType::Send),
            "receiveTask" => Kind::Task(TaskType::Receive),
            "manualTask" => Kind::Task(TaskType::Manual),
            "businessRuleTask" => Kind::Task(TaskType::BusinessRule),
            "subProcess" => activity(false, false, false, expanded),
            "transaction" => activity(false, true, false, expanded),
            "adHocSubProcess" => activity(false, false, true, expanded),
            "callActivity" => activity(true, false, false, shape.is_expanded == Some(true)),
            "startEvent" => event(EventPos::Start),
            "endEvent" => event(EventPos::End),
            "intermediateCatchEvent" => event(EventPos::Catch),
            "intermediateThrowEvent" | "implicitThrowEvent" => event(EventPos::Throw),
            "boundaryEvent" => event(EventPos::Boundary),
            "exclusiveGateway" => Kind::Gateway(GatewayType::Exclusive),
            "parallelGateway" => Kind::Gateway(GatewayType::Parallel),
            "inclusiveGateway" => Kind::Gateway(GatewayType::Inclusive),
            "eventBasedGateway" => Kind::Gateway(GatewayType::EventBased),
            "complexGateway" => Kind::Gateway(GatewayType::Complex),
            "dataObject" | "dataObjectReference" => Kind::DataObject { io: None },
            "dataInput" => Kind::DataObject { io: Some(false) },
            "dataOutput" => Kind::DataObject { io: Some(true) },
            "dataStore" | "dataStoreReference" => Kind::DataStore,
            "message" => Kind::Message,
            "textAnnotation" => Kind::TextAnnotation,
            "group" => Kind::Group,
            "conversation" | "subConversation" | "callConversation" => Kind::Conversation,
            _ => Kind::Other,
        }
    }

    fn edge_kind(&self, edge: &Edge) -> EdgeKind {
        let Some(el) = self.elements.get(edge.element.as_str()) else {
            return EdgeKind::Unknown;
        };
        match el.tag.as_str() {
            "sequenceFlow" => {
                let default = self.default_flows.contains(el.id.as_str());
                // The mini-diamond is drawn only when the source is an activity.
                let conditional = !default
                    && self
                        .flows
                        .get(el.id.as_str())
                        .is_some_and(|&(source, _, cond)| {
                            cond && self.elements.get(source).is_some_and(|s| {
                                !s.tag.ends_with("Gateway") && !s.tag.ends_with("Event")
                            })
                        });
                EdgeKind::Sequence {
                    default,
                    conditional,
                }
            }
            "messageFlow" => EdgeKind::Message,
            "association" => EdgeKind::Association,
            "dataInputAssociation" | "dataOutputAssociation" => EdgeKind::DataAssociation,
            _ => EdgeKind::Other,
        }
    }

    fn name_of(&self, id: &str) -> String {
        match self.elements.get(id) {
            Some(e) if !e.name.trim().is_empty() => clip(e.name.trim()),
            _ => clip(id),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Painting.

struct Painter<'a> {
    out: String,
    ctx: Context<'a>,
}

/// Stroke and fill of a shape in a given state.
#[derive(Debug, Clone, Copy)]
struct Paint {
    ink: &'static str,
    fill: &'static str,
    text: &'static str,
    /// Added to every outline width.
    extra: f64,
}

impl Paint {
    fn of(state: State) -> Paint {
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
    fn unknown() -> Paint {
        Paint {
            ink: UNKNOWN_INK,
            fill: UNKNOWN_FILL,
            text: DONE_TEXT,
            extra: 0.0,
        }
    }
    /// ` stroke="…" stroke-width="…"`.
    fn stroke(&self, width: f64) -> String {
        format!(
            r#" stroke="{}" stroke-width="{}""#,
            self.ink,
            N(width + self.extra)
        )
    }
    /// ` fill="…" stroke="…" stroke-width="…"`.
    fn outline(&self, width: f64) -> String {
        format!(r#" fill="{}"{}"#, self.fill, self.stroke(width))
    }
}

macro_rules! w {
    ($out:expr, $($arg:tt)*) => {
        let _ = write!($out, $($arg)*);
    };
}

impl Painter<'_> {
    fn header(&mut self, doc: &Document, shapes: usize, edges: usize, v: ViewBox) {
        let p = self.ctx.prefix.clone();
        let title = self.title(doc);
        let desc = self.description(doc, shapes, edges);
        w!(
            self.out,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" "#,
                r#"aria-labelledby="{p}-title" aria-describedby="{p}-desc" "#,
                r#"width="{w}" height="{h}" viewBox="{x} {y} {w} {h}" "#,
                r#"font-family="sans-serif" font-size="12">"#,
                "\n<title id=\"{p}-title\">{title}</title>\n<desc id=\"{p}-desc\">{desc}</desc>\n"
            ),
            p = p,
            w = N(v.w),
            h = N(v.h),
            x = N(v.x),
            y = N(v.y),
            title = esc(&clip(&title)),
            desc = esc(&desc),
        );
        self.defs();
        w!(self.out, "<g stroke-linejoin=\"round\">\n");
    }

    fn title(&self, doc: &Document) -> String {
        if let Some(t) = self.ctx.title.map(str::trim).filter(|t| !t.is_empty()) {
            return t.to_string();
        }
        if let Some(p) = doc.processes.iter().find(|p| !p.name.trim().is_empty()) {
            return p.name.trim().to_string();
        }
        let pools: Vec<&str> = doc
            .participants
            .iter()
            .map(|p| p.name.trim())
            .filter(|n| !n.is_empty())
            .collect();
        if !pools.is_empty() {
            return pools.join(", ");
        }
        if let Some(p) = doc
            .elements
            .iter()
            .find(|e| e.tag == "process" && !e.name.is_empty())
        {
            return p.name.trim().to_string();
        }
        "Sơ đồ quy trình BPMN".to_string()
    }

    fn description(&self, doc: &Document, shapes: usize, edges: usize) -> String {
        let mut d = format!("Sơ đồ BPMN gồm {shapes} hình và {edges} đường nối.");
        let Some(diagram) = doc.diagram.as_ref() else {
            return d;
        };
        let mut seen = HashSet::new();
        let mut current = Vec::new();
        let mut done = 0usize;
        for s in &diagram.shapes {
            if !seen.insert(s.element.as_str()) {
                continue;
            }
            match self.ctx.state(&s.element) {
                State::Current => current.push(self.ctx.name_of(&s.element)),
                State::Done => done += 1,
                State::Normal => {}
            }
        }
        if !current.is_empty() {
            w!(d, " Đang xử lý: {}.", current.join("; "));
        }
        if done > 0 {
            w!(d, " Đã hoàn thành {done} bước.");
        }
        d
    }

    fn defs(&mut self) {
        let p = &self.ctx.prefix;
        w!(
            self.out,
            concat!(
                "<defs>\n",
                r#"<marker id="{p}-seq" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-seq-current" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 3.5L12 10L0 16.5Z" fill="{cur}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-seq-done" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{done}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-open" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-circle" viewBox="0 0 20 20" refX="6" refY="6" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><circle cx="6" cy="6" r="3.5" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-line" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 4L11 10L1 16" fill="none" stroke="{ink}" stroke-width="1.5"/></marker>"#,
                "\n",
                r#"<marker id="{p}-cond" viewBox="0 0 20 20" refX="0" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 10L8 6L16 10L8 14Z" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n</defs>\n"
            ),
            p = p,
            ink = INK,
            cur = CURRENT,
            done = DONE_INK,
            paper = PAPER,
        );
    }

    fn open_group(&mut self, tag: &str, id: &str, state: State, title: &str) {
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

    fn shape(&mut self, shape: &Shape, kind: &Kind) {
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

    // --- Events and gateways ----------------------------------------------------------------

    fn event(&mut self, r: R, pos: EventPos, def: EventDef, interrupting: bool, paint: Paint) {
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

    fn gateway(&mut self, r: R, g: GatewayType, paint: Paint) {
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

    fn data_object(&mut self, r: R, io: Option<bool>, paint: Paint) {
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

    fn data_store(&mut self, r: R, paint: Paint) {
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

    fn envelope_shape(&mut self, r: R, paint: Paint) {
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

    // --- Highlight --------------------------------------------------------------------------

    /// A dashed outline around a current element, so that it shows without colour too.
    fn halo(&mut self, r: R, kind: &Kind) {
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
    fn check(&mut self, r: R, kind: &Kind) {
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

    // --- Text -------------------------------------------------------------------------------

    /// Lines centred in a box of `max_w` × `max_h` around (cx, cy), cut to fit.
    #[allow(clippy::too_many_arguments)]
    fn text_box(
        &mut self,
        cx: f64,
        cy: f64,
        max_w: f64,
        max_h: f64,
        text: &str,
        paint: Paint,
        small: bool,
    ) {
        let (cw, lh) = if small {
            (SMALL_CHAR_W, SMALL_LINE_H)
        } else {
            (CHAR_W, LINE_H)
        };
        let max_lines = if max_h.is_finite() {
            (max_h / lh).floor().max(1.0)
        } else {
            1.0
        };
        let lines = truncate(
            wrap(text, max_w, cw),
            max_lines.min(1e6) as usize,
            max_w,
            cw,
        );
        self.centered(cx, cy, &lines, paint, small);
    }

    /// Lines centred vertically and horizontally on (cx, cy).
    fn centered(&mut self, cx: f64, cy: f64, lines: &[String], paint: Paint, small: bool) {
        let (lh, shift) = if small {
            (SMALL_LINE_H, 4.0)
        } else {
            (LINE_H, 4.5)
        };
        let first = cy - (lines.len() as f64 - 1.0) * lh / 2.0 + shift;
        self.lines(cx, first, lines, Anchor::Middle, paint, small);
    }

    /// A label outside its shape: centred on the label bounds' centre line, from their top.
    fn external_label(&mut self, l: R, text: &str, paint: Paint) {
        if text.trim().is_empty() {
            return;
        }
        let max_w = l.w.max(90.0);
        let lines = wrap(text, max_w, SMALL_CHAR_W);
        let height = lines.len() as f64 * SMALL_LINE_H;
        let top = if l.h > height {
            l.y + (l.h - height) / 2.0
        } else {
            l.y
        };
        self.lines(
            l.cx(),
            top + SMALL_LINE_H - 3.0,
            &lines,
            Anchor::Middle,
            paint,
            true,
        );
    }

    /// `<text>` with one `<tspan>` per line, the first baseline at `y`.
    fn lines(
        &mut self,
        x: f64,
        y: f64,
        lines: &[String],
        anchor: Anchor,
        paint: Paint,
        small: bool,
    ) {
        if lines.is_empty() {
            return;
        }
        let lh = if small { SMALL_LINE_H } else { LINE_H };
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
        };
        let size = if small { r#" font-size="11""# } else { "" };
        // External labels get a white outline, to stay readable where lines cross them.
        let stroke = if small {
            r##"stroke="#fff" stroke-width="3" paint-order="stroke""##
        } else {
            r#"stroke="none""#
        };
        w!(
            self.out,
            r#"<text fill="{}" {stroke}{anchor}{size}>"#,
            paint.text
        );
        for (i, line) in lines.iter().enumerate() {
            w!(
                self.out,
                r#"<tspan x="{}" y="{}">{}</tspan>"#,
                N(x),
                N(y + i as f64 * lh),
                esc(line)
            );
        }
        self.out.push_str("</text>");
    }

    // --- Edges ------------------------------------------------------------------------------

    fn edge(&mut self, edge: &Edge) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Diagram, Participant, Process, SequenceFlow};

    fn el(id: &str, tag: &str, name: &str) -> ElementRef {
        ElementRef {
            id: id.into(),
            tag: tag.into(),
            name: name.into(),
            line: 1,
            event_definition: None,
        }
    }

    fn shape(id: &str, x: f64, y: f64, w: f64, h: f64) -> Shape {
        Shape {
            element: id.into(),
            bounds: Bounds {
                x,
                y,
                width: w,
                height: h,
            },
            is_expanded: None,
            is_horizontal: None,
            label: None,
        }
    }

    fn edge(id: &str, pts: &[(f64, f64)]) -> Edge {
        Edge {
            element: id.into(),
            waypoints: pts.to_vec(),
            label: None,
        }
    }

    fn sample() -> Document {
        let mut timer = el("Timer", "boundaryEvent", "Quá hạn");
        timer.event_definition = Some("timerEventDefinition".into());
        let mut end = el("End", "endEvent", "Kết thúc");
        end.event_definition = Some("terminateEventDefinition".into());
        Document {
            processes: vec![Process {
                id: "P".into(),
                name: "Cấp giấy phép <xây dựng> & \"sửa chữa\"".into(),
                line: 1,
                nodes: vec![crate::model::Node {
                    id: "Timer".into(),
                    name: "Quá hạn".into(),
                    kind: NodeKind::BoundaryTimer {
                        attached_to: "Task".into(),
                        interrupting: false,
                        duration: None,
                    },
                    line: 1,
                    parent: None,
                }],
                flows: vec![SequenceFlow {
                    id: "F1".into(),
                    name: String::new(),
                    source: "Start".into(),
                    target: "Task".into(),
                    condition: None,
                    line: 1,
                }],
                lanes: vec![],
            }],
            participants: vec![Participant {
                id: "Pool".into(),
                name: "Ủy ban nhân dân xã".into(),
                process_ref: Some("P".into()),
                line: 1,
            }],
            elements: vec![
                el("Pool", "participant", "Ủy ban nhân dân xã"),
                el("Lane", "lane", "Bộ phận một cửa"),
                el("Start", "startEvent", "Nhận hồ sơ"),
                el("Task", "userTask", "Thẩm định hồ sơ của công dân <A&B>"),
                timer,
                el("Gw", "exclusiveGateway", "Đạt?"),
                end,
                el("F1", "sequenceFlow", ""),
                el("F2", "sequenceFlow", "Có"),
                el("Data", "dataObjectReference", "Tờ khai"),
                el("A1", "dataOutputAssociation", ""),
            ],
            diagram: Some(Diagram {
                shapes: vec![
                    shape("Pool", 0.0, 0.0, 800.0, 250.0),
                    shape("Lane", 30.0, 0.0, 770.0, 250.0),
                    shape("Start", 80.0, 100.0, 36.0, 36.0),
                    shape("Task", 160.0, 78.0, 100.0, 80.0),
                    shape("Timer", 222.0, 140.0, 36.0, 36.0),
                    shape("Gw", 320.0, 93.0, 50.0, 50.0),
                    shape("End", 450.0, 100.0, 36.0, 36.0),
                    shape("Data", 180.0, 180.0, 36.0, 50.0),
                    shape("Ghost", 600.0, 60.0, 100.0, 80.0),
                ],
                edges: vec![
                    edge("F1", &[(116.0, 118.0), (160.0, 118.0)]),
                    edge("F2", &[(370.0, 118.0), (450.0, 118.0)]),
                    edge("A1", &[(200.0, 158.0), (200.0, 180.0)]),
                    edge("Nowhere", &[(600.0, 50.0), (700.0, 50.0)]),
                ],
            }),
            ..Document::default()
        }
    }

    fn well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!(
                    "not well-formed at {}: {e}\n{svg}",
                    reader.buffer_position()
                ),
            }
        }
    }

    #[test]
    fn no_diagram() {
        let mut doc = sample();
        doc.diagram = None;
        assert_eq!(render(&doc, &[]), Err(SvgError::NoDiagram));
        doc.diagram = Some(Diagram::default());
        assert_eq!(render(&doc, &[]), Err(SvgError::NoDiagram));
    }

    #[test]
    fn draws_every_shape_and_edge() {
        let doc = sample();
        let svg = render(&doc, &["Task"]).unwrap_or_default();
        well_formed(&svg);
        assert_eq!(svg.matches("data-element-id=").count(), 9 + 4);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"class="bpmn-el bpmn-userTask current" data-element-id="Task""#));
        assert!(svg.contains(r#"class="bpmn-el bpmn-unknown" data-element-id="Ghost""#));
        assert!(svg.contains(r#"data-element-id="Nowhere""#));
        assert!(svg.contains("Cấp giấy phép &lt;xây dựng&gt; &amp; &quot;sửa chữa&quot;"));
        assert!(svg.contains("&lt;A&amp;B&gt;"));
        assert!(svg.contains("Đang xử lý: Thẩm định hồ sơ của công dân &lt;A&amp;B&gt;."));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<style"));
        assert!(!svg.contains("href"));
        // Non-interrupting boundary timer: dashed.
        assert!(svg.contains("stroke-dasharray=\"5.5 3\""));
    }

    #[test]
    fn done_and_options() {
        let doc = sample();
        let opts = RenderOptions {
            highlight: &["Gw"],
            done: &["Start", "Task", "F1"],
            title: Some("Quy trình <1>"),
            id_prefix: "x y",
        };
        let svg = render_with(&doc, &opts).unwrap_or_default();
        well_formed(&svg);
        assert!(svg.contains(r#"class="bpmn-el bpmn-userTask done""#));
        assert!(svg.contains(r#"class="bpmn-el bpmn-sequenceFlow done""#));
        assert!(svg.contains(r#"class="bpmn-el bpmn-exclusiveGateway current""#));
        assert!(svg.contains(r#"marker-end="url(#xy-seq-done)""#));
        assert!(svg.contains("Đã hoàn thành 2 bước."));
    }

    #[test]
    fn deterministic() {
        let doc = sample();
        assert_eq!(render(&doc, &["Task", "Gw"]), render(&doc, &["Task", "Gw"]));
    }

    #[test]
    fn strange_numbers() {
        let mut doc = sample();
        if let Some(d) = doc.diagram.as_mut() {
            d.shapes[2].bounds = Bounds {
                x: f64::NAN,
                y: f64::INFINITY,
                width: -5.0,
                height: 1e300,
            };
            d.shapes[3].label = Some(Bounds {
                x: f64::NEG_INFINITY,
                y: 0.0,
                width: f64::NAN,
                height: 0.0,
            });
            d.edges[0].waypoints = vec![(f64::NAN, f64::NAN)];
            d.edges[1].waypoints = vec![];
        }
        let svg = render(&doc, &[]).unwrap_or_default();
        well_formed(&svg);
        assert!(!svg.contains("NaN"));
        assert!(!svg.contains("inf"));
        assert_eq!(svg.matches("data-element-id=").count(), 13);
    }

    #[test]
    fn numbers() {
        assert_eq!(N(1.0).to_string(), "1");
        assert_eq!(N(-0.001).to_string(), "0");
        assert_eq!(N(12.345).to_string(), "12.35");
        assert_eq!(N(12.5).to_string(), "12.5");
        assert_eq!(N(f64::NAN).to_string(), "0");
        assert_eq!(N(1e300).to_string(), "1000000");
    }

    #[test]
    fn wrapping() {
        assert_eq!(
            wrap("Thẩm định hồ sơ", 200.0, CHAR_W),
            vec!["Thẩm định hồ sơ"]
        );
        let lines = wrap("Thẩm định hồ sơ của công dân", 60.0, CHAR_W);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, CHAR_W) <= 60.0));
        assert_eq!(wrap("a\nb", 200.0, CHAR_W), vec!["a", "b"]);
        assert_eq!(
            wrap("Collapsed Sub-Process", 60.0, CHAR_W),
            vec!["Collapsed", "Sub-", "Process"]
        );
        let long = wrap("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 30.0, CHAR_W);
        assert!(long.len() > 3);
        assert_eq!(wrap("x", f64::NAN, CHAR_W), vec!["x"]);
        let cut = truncate(
            wrap("một hai ba bốn năm sáu bảy tám", 40.0, CHAR_W),
            2,
            40.0,
            CHAR_W,
        );
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
    }

    #[test]
    fn huge_names_stay_cheap() {
        let mut doc = sample();
        let long_word = "Ạ".repeat(200_000);
        let many_words = "hồ sơ ".repeat(100_000);
        doc.elements[3].name = long_word;
        doc.elements[5].name = many_words.clone();
        doc.elements[0].name = many_words;
        if let Some(d) = doc.diagram.as_mut() {
            d.shapes[3].bounds.width = 1e9;
        }
        let svg = render(&doc, &["Task"]).unwrap_or_default();
        well_formed(&svg);
        // The tooltip keeps the name, the drawing a bounded part of it.
        assert!(svg.len() < 200_000, "{}", svg.len());
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("a&<>\"'\u{1}\u{FFFF}b"), "a&amp;&lt;&gt;&quot;&apos;b");
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn any_f64() -> impl Strategy<Value = f64> {
            prop_oneof![
                -2000.0..2000.0f64,
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0),
                any::<f64>(),
            ]
        }

        const TAGS: &[&str] = &[
            "participant",
            "lane",
            "task",
            "userTask",
            "serviceTask",
            "scriptTask",
            "sendTask",
            "receiveTask",
            "manualTask",
            "businessRuleTask",
            "subProcess",
            "transaction",
            "adHocSubProcess",
            "callActivity",
            "startEvent",
            "endEvent",
            "intermediateCatchEvent",
            "intermediateThrowEvent",
            "boundaryEvent",
            "exclusiveGateway",
            "parallelGateway",
            "inclusiveGateway",
            "eventBasedGateway",
            "complexGateway",
            "dataObjectReference",
            "dataInput",
            "dataOutput",
            "dataStoreReference",
            "message",
            "textAnnotation",
            "group",
            "conversation",
            "sequenceFlow",
            "messageFlow",
            "association",
            "dataInputAssociation",
            "weird<&>",
        ];
        const DEFS: &[&str] = &[
            "messageEventDefinition",
            "timerEventDefinition",
            "errorEventDefinition",
            "signalEventDefinition",
            "escalationEventDefinition",
            "conditionalEventDefinition",
            "linkEventDefinition",
            "compensateEventDefinition",
            "cancelEventDefinition",
            "terminateEventDefinition",
            "bogus",
        ];

        fn bounds() -> impl Strategy<Value = Bounds> {
            (any_f64(), any_f64(), any_f64(), any_f64()).prop_map(|(x, y, width, height)| Bounds {
                x,
                y,
                width,
                height,
            })
        }

        prop_compose! {
            fn document()(
                els in prop::collection::vec(
                    (0usize..8, 0..TAGS.len(), ".{0,40}", prop::option::of(0..DEFS.len())), 0..12),
                shapes in prop::collection::vec(
                    (0usize..10, bounds(), prop::option::of(bounds()),
                     prop::option::of(any::<bool>()), prop::option::of(any::<bool>())), 0..12),
                edges in prop::collection::vec(
                    (0usize..10, prop::collection::vec((any_f64(), any_f64()), 0..5),
                     prop::option::of(bounds())), 0..8),
            ) -> Document {
                let elements = els.into_iter().map(|(id, tag, name, def)| ElementRef {
                    id: format!("e{id}"),
                    tag: TAGS.get(tag).copied().unwrap_or("task").into(),
                    name,
                    line: 1,
                    event_definition: def.and_then(|d| DEFS.get(d)).map(|d| (*d).to_string()),
                }).collect();
                let shapes = shapes.into_iter().map(|(id, bounds, label, is_expanded, is_horizontal)| Shape {
                    element: format!("e{id}"), bounds, is_expanded, is_horizontal, label,
                }).collect();
                let edges = edges.into_iter().map(|(id, waypoints, label)| Edge {
                    element: format!("e{id}"), waypoints, label,
                }).collect();
                Document { elements, diagram: Some(Diagram { shapes, edges }), ..Document::default() }
            }
        }

        proptest! {
            #[test]
            fn never_panics_and_stays_well_formed(doc in document(), hl in 0usize..10) {
                let id = format!("e{hl}");
                let opts = RenderOptions {
                    highlight: &[id.as_str()],
                    done: &["e1", "e2"],
                    ..RenderOptions::default()
                };
                if let Ok(svg) = render_with(&doc, &opts) {
                    well_formed(&svg);
                    let d = doc.diagram.as_ref().map_or(0, |d| d.shapes.len() + d.edges.len());
                    prop_assert_eq!(svg.matches("data-element-id=").count(), d);
                    prop_assert!(!svg.contains("NaN"));
                }
            }
        }
    }
}
