//! BPMN 2.0 XML into a [`Document`] (quick-xml, with line numbers). Lenient: every element is
//! recorded, unsupported ones in `Document::unsupported`; only malformed XML is an error.
//!
//! The file is read in two passes: first into a small tree of elements (local name, namespace,
//! attributes, text, line of the start tag), then the tree is walked. BPMN, DI and DC elements are
//! matched by local name, whatever their prefix (`bpmn:`, `bpmn2:`, `semantic:`, `model:`, or the
//! default namespace); motcua's attributes by their namespace [`MOTCUA_NS`] or the prefix `motcua`.
//! Elements of other namespaces outside `extensionElements` are vendor extensions and are skipped.
//!
//! `Document::unsupported` also names attribute situations, in brackets after the element's local
//! name: `subProcess[triggeredByEvent]` (an event sub-process), `userTask[motcua:rol]` (a motcua
//! attribute unknown or misplaced on that element), `userTask[motcua:days+motcua:share]` (two
//! budgets), `userTask[motcua:days=abc]` (a value that cannot be read), `task[id=]` (no id).

use crate::model::{
    Bounds, Budget, Diagram, Document, Edge, ElementRef, Lane, MOTCUA_NS, Node, NodeKind,
    Participant, Process, SequenceFlow, Shape, Unsupported, UserTask,
};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use std::collections::HashMap;
use thiserror::Error;

/// The namespace of BPMN 2.0 semantic elements.
pub const BPMN_MODEL_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// Elements nested deeper than this are refused (the tree is walked recursively).
const MAX_DEPTH: usize = 200;

/// The file is not well-formed XML (or not BPMN at all).
#[derive(Debug, Clone, PartialEq, Error)]
#[error("dòng {line}: {message}")]
pub struct XmlError {
    pub line: u32,
    pub message: String,
}

/// Reads a BPMN file.
pub fn parse_document(xml: &str) -> Result<Document, XmlError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let tree = read_tree(xml)?;
    let mut builder = Builder {
        tree: &tree,
        doc: Document::default(),
    };
    builder.build();
    Ok(builder.doc)
}

/// An ISO 8601 duration (`P2D`, `PT4H`, `PT30M`, `P1DT4H`, `P1W`, `P0.5D`) in working days: a week
/// is 5 working days, a working day 8 working hours. Months, years, signs and anything else that
/// is not a plain duration give `None`.
pub fn duration_in_working_days(text: &str) -> Option<f64> {
    let text = text.trim();
    let rest = text.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((date, time)) => {
            if time.is_empty() {
                return None;
            }
            (date, Some(time))
        }
        None => (rest, None),
    };
    let mut total = duration_part(date, &[('W', 5.0), ('D', 1.0)])?;
    if let Some(time) = time {
        total += duration_part(
            time,
            &[('H', 1.0 / 8.0), ('M', 1.0 / 480.0), ('S', 1.0 / 28_800.0)],
        )?;
    }
    total.is_finite().then_some(total)
}

/// `2D`, `1W3D`, `4H30M`: numbers each followed by one of `units` (in this order, each at most
/// once), multiplied by its weight. An empty part is zero.
fn duration_part(part: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut next_unit = 0usize;
    for c in part.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
            continue;
        }
        let c = c.to_ascii_uppercase();
        let position = units.iter().position(|(unit, _)| *unit == c)?;
        if position < next_unit || number.is_empty() {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let weight = units.get(position).map(|(_, w)| *w)?;
        total += value * weight;
        number.clear();
        next_unit = position + 1;
    }
    number.is_empty().then_some(total)
}

// ---------------------------------------------------------------------------------------------
// First pass: XML into a tree.

struct Attr {
    local: String,
    prefix: Option<String>,
    ns: Option<String>,
    value: String,
}

struct El {
    local: String,
    ns: Option<String>,
    attrs: Vec<Attr>,
    text: String,
    children: Vec<usize>,
    line: u32,
}

struct Tree {
    /// In document order; the root is the first.
    els: Vec<El>,
}

/// Byte offset to 1-based line.
struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn line(&self, offset: u64) -> u32 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let line = self.newlines.partition_point(|&n| n < offset) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

fn owned_ns(resolved: ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn invalid(line: u32, what: impl std::fmt::Display) -> XmlError {
    XmlError {
        line,
        message: format!("XML không hợp lệ: {what}"),
    }
}

fn describe(error: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let what = match error {
        quick_xml::Error::Syntax(e) => match e {
            SyntaxError::UnclosedTag => "thẻ chưa được đóng bằng “>” trước khi hết tệp".to_owned(),
            SyntaxError::UnclosedComment => "chú thích “<!--” chưa được đóng bằng “-->”".to_owned(),
            SyntaxError::UnclosedCData => "khối CDATA chưa được đóng bằng “]]>”".to_owned(),
            SyntaxError::UnclosedPIOrXmlDecl => "chỉ thị “<?” chưa được đóng bằng “?>”".to_owned(),
            SyntaxError::UnclosedDoctype => "khai báo DOCTYPE chưa được đóng".to_owned(),
            SyntaxError::InvalidBangMarkup => "cú pháp “<!” không hợp lệ".to_owned(),
        },
        quick_xml::Error::IllFormed(e) => match e {
            IllFormedError::MismatchedEndTag { expected, found } => {
                format!("thẻ đóng </{found}> không khớp với thẻ mở <{expected}>")
            }
            IllFormedError::UnmatchedEndTag(tag) => {
                format!("thẻ đóng </{tag}> không có thẻ mở tương ứng")
            }
            IllFormedError::MissingEndTag(tag) => format!("thiếu thẻ đóng </{tag}>"),
            IllFormedError::UnclosedReference => {
                "tham chiếu “&…” không kết thúc bằng dấu “;”".to_owned()
            }
            IllFormedError::DoubleHyphenInComment => "chú thích chứa “--”".to_owned(),
            IllFormedError::MissingDeclVersion(_) => "khai báo <?xml?> thiếu version".to_owned(),
            IllFormedError::MissingDoctypeName => "khai báo DOCTYPE thiếu tên".to_owned(),
        },
        quick_xml::Error::InvalidAttr(e) => format!("thuộc tính viết sai cú pháp ({e})"),
        quick_xml::Error::Escape(e) => format!("tham chiếu ký tự hoặc thực thể sai ({e})"),
        quick_xml::Error::Namespace(e) => format!("khai báo không gian tên sai ({e})"),
        quick_xml::Error::Encoding(e) => format!("mã hoá ký tự sai ({e})"),
        quick_xml::Error::Io(e) => format!("lỗi đọc ({e})"),
    };
    format!("XML không hợp lệ: {what}")
}

fn read_tree(xml: &str) -> Result<Tree, XmlError> {
    let lines = Lines::new(xml);
    let mut reader = NsReader::from_str(xml);
    let mut els: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root_closed = false;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_resolved_event()
            .map(|(ns, event)| (owned_ns(ns), event));
        let (ns, event) = match event {
            Ok(pair) => pair,
            Err(e) => {
                return Err(XmlError {
                    line: lines.line(reader.error_position()),
                    message: describe(&e),
                });
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let line = lines.line(position);
                if root_closed {
                    return Err(invalid(line, "có nhiều hơn một phần tử gốc"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(invalid(
                        line,
                        format!("các phần tử lồng nhau quá {MAX_DEPTH} cấp"),
                    ));
                }
                let local = lossy(start.local_name().as_ref());
                if els.is_empty() && local != "definitions" {
                    return Err(XmlError {
                        line,
                        message: "Không phải tệp BPMN 2.0 (phần tử gốc phải là definitions)".into(),
                    });
                }
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr
                        .map_err(|e| invalid(line, format!("thuộc tính viết sai cú pháp ({e})")))?;
                    let key = attr.key.as_ref();
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        continue;
                    }
                    let (attr_ns, attr_local) = reader.resolve_attribute(attr.key);
                    let attr_local = lossy(attr_local.as_ref());
                    let attr_ns = owned_ns(attr_ns);
                    let prefix = attr.key.prefix().map(|p| lossy(p.as_ref()));
                    let value = attr
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|e| XmlError {
                            line,
                            message: describe(&e),
                        })?
                        .into_owned();
                    attrs.push(Attr {
                        local: attr_local,
                        prefix,
                        ns: attr_ns,
                        value,
                    });
                }
                let index = els.len();
                els.push(El {
                    local,
                    ns,
                    attrs,
                    text: String::new(),
                    children: Vec::new(),
                    line,
                });
                if let Some(parent) = stack.last().and_then(|&p| els.get_mut(p)) {
                    parent.children.push(index);
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(index);
                } else if stack.is_empty() {
                    root_closed = true;
                }
            }
            Event::End(_) => {
                stack.pop();
                if stack.is_empty() {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| {
                    invalid(lines.line(position), format!("mã hoá ký tự sai ({e})"))
                })?;
                push_text(&mut els, &stack, &text, lines.line(position))?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| {
                    invalid(lines.line(position), format!("mã hoá ký tự sai ({e})"))
                })?;
                push_text(&mut els, &stack, &text, lines.line(position))?;
            }
            Event::GeneralRef(reference) => {
                let line = lines.line(position);
                let name = reference
                    .decode()
                    .map_err(|e| invalid(line, format!("mã hoá ký tự sai ({e})")))?;
                let resolved = if reference.is_char_ref() {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) | Err(_) => {
                            return Err(invalid(line, format!("tham chiếu ký tự “&{name};” sai")));
                        }
                    }
                } else {
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(invalid(
                                line,
                                format!("thực thể “&{name};” không được định nghĩa"),
                            ));
                        }
                    }
                };
                push_text(&mut els, &stack, &resolved, line)?;
            }
            Event::Eof => {
                if let Some(open) = stack.last().and_then(|&i| els.get(i)) {
                    return Err(invalid(
                        lines.line(position),
                        format!(
                            "hết tệp mà phần tử <{}> mở ở dòng {} chưa được đóng",
                            open.local, open.line
                        ),
                    ));
                }
                if els.is_empty() {
                    return Err(XmlError {
                        line: 1,
                        message: "Tệp trống: không có phần tử XML nào (cần một tệp BPMN 2.0)"
                            .into(),
                    });
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    Ok(Tree { els })
}

fn push_text(els: &mut [El], stack: &[usize], text: &str, line: u32) -> Result<(), XmlError> {
    match stack.last().and_then(|&i| els.get_mut(i)) {
        Some(el) => {
            el.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(invalid(line, "có văn bản nằm ngoài phần tử gốc")),
    }
}

// ---------------------------------------------------------------------------------------------
// Second pass: the tree into a Document.

impl El {
    /// A BPMN attribute: unprefixed (or, oddly, prefixed with the BPMN namespace).
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| {
                a.local == name && (a.prefix.is_none() || a.ns.as_deref() == Some(BPMN_MODEL_NS))
            })
            .map(|a| a.value.as_str())
    }

    /// A BPMN attribute, trimmed, `None` if absent or empty.
    fn attr_trim(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    fn id(&self) -> Option<String> {
        self.attr_trim("id")
    }

    fn name(&self) -> String {
        self.attr("name")
            .map(|n| n.trim().to_owned())
            .unwrap_or_default()
    }

    fn bool_attr(&self, name: &str) -> Option<bool> {
        match self.attr(name).map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }
    }

    fn motcua_attrs(&self) -> impl Iterator<Item = &Attr> {
        self.attrs
            .iter()
            .filter(|a| a.ns.as_deref() == Some(MOTCUA_NS) || a.prefix.as_deref() == Some("motcua"))
    }

    /// A motcua attribute, trimmed, `None` if absent or empty.
    fn motcua(&self, name: &str) -> Option<String> {
        self.motcua_attrs()
            .find(|a| a.local == name)
            .map(|a| a.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// An element of another vocabulary than BPMN/DI/DC (a vendor extension, or motcua's own).
    fn is_foreign(&self) -> bool {
        self.ns
            .as_deref()
            .is_some_and(|ns| !ns.starts_with("http://www.omg.org/spec/"))
    }

    fn is_event(&self) -> bool {
        self.local.ends_with("Event")
    }
}

/// Children that every element may carry without meaning anything to the engine.
fn is_descriptive(local: &str) -> bool {
    matches!(local, "documentation" | "extensionElements")
}

/// Which motcua attributes an element may carry.
fn motcua_allowed(local: &str) -> &'static [&'static str] {
    match local {
        "userTask" => &["role", "agency", "action", "days", "share"],
        "serviceTask" => &["action"],
        "lane" => &["role", "agency"],
        _ => &[],
    }
}

/// The role a lane's name suggests: the earliest keyword found wins.
fn guess_role(name: &str) -> Option<String> {
    const KEYWORDS: &[(&str, &str)] = &[
        ("tiếp nhận", "intake"),
        ("một cửa", "intake"),
        ("chuyên viên", "specialist"),
        ("thẩm định", "specialist"),
        ("xử lý", "specialist"),
        ("lãnh đạo", "leader"),
        ("phê duyệt", "leader"),
    ];
    let lower = name.to_lowercase();
    KEYWORDS
        .iter()
        .filter_map(|(word, role)| lower.find(word).map(|at| (at, *role)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, role)| role.to_owned())
}

/// Strips whitespace, then one pair of surrounding quotes (SpiffWorkflow writes `"P2D"`).
fn unquote(text: &str) -> String {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.trim().to_owned();
        }
    }
    text.to_owned()
}

/// A condition as written, trimmed, without a Camunda-style `${ ... }` wrapper.
fn clean_condition(text: &str) -> Option<String> {
    let text = text.trim();
    let inner = text
        .strip_prefix("${")
        .or_else(|| text.strip_prefix("#{"))
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text)
        .trim();
    (!inner.is_empty()).then(|| inner.to_owned())
}

fn number(text: &str) -> Option<f64> {
    let value: f64 = text.trim().replace(',', ".").parse().ok()?;
    value.is_finite().then_some(value)
}

/// The lane facts of one process, gathered while its lanes are read.
#[derive(Default)]
struct LaneAcc {
    lanes: Vec<Lane>,
    /// Node id → (lane index, nesting depth) for each direct `flowNodeRef`.
    direct: Vec<(String, usize, usize)>,
}

struct Builder<'t> {
    tree: &'t Tree,
    doc: Document,
}

impl<'t> Builder<'t> {
    fn el(&self, index: usize) -> Option<&'t El> {
        self.tree.els.get(index)
    }

    fn children(&self, el: &'t El) -> impl Iterator<Item = &'t El> + use<'t> {
        let tree = self.tree;
        el.children.iter().filter_map(move |&i| tree.els.get(i))
    }

    fn unsupported(&mut self, element: impl Into<String>, id: Option<String>, line: u32) {
        self.doc.unsupported.push(Unsupported {
            element: element.into(),
            id,
            line,
        });
    }

    /// An attribute situation: `tag[what]`, with the element's id and line.
    fn attribute_problem(&mut self, el: &El, what: &str) {
        self.unsupported(format!("{}[{what}]", el.local), el.id(), el.line);
    }

    fn build(&mut self) {
        self.record_elements();
        let Some(root) = self.el(0) else { return };
        let mut diagram = Diagram::default();
        for child in self.children(root) {
            match child.local.as_str() {
                "process" => self.process(child),
                "collaboration" => self.collaboration(child),
                "BPMNDiagram" => self.diagram(child, &mut diagram),
                "import" | "category" => {}
                local if is_descriptive(local) || child.is_foreign() => {}
                local => self.unsupported(local, child.id(), child.line),
            }
        }
        if !diagram.shapes.is_empty() || !diagram.edges.is_empty() {
            self.doc.diagram = Some(diagram);
        }
    }

    /// Every element with an id, in file order; motcua attributes where they do not belong.
    ///
    /// Vendor data is left out: elements of other vocabularies, and whatever is inside
    /// `extensionElements` (their `id`s are not ids of the BPMN model).
    fn record_elements(&mut self) {
        let tree = self.tree;
        // Depth-first in document order, without recursion.
        let mut stack: Vec<usize> = vec![0];
        while let Some(index) = stack.pop() {
            let Some(el) = tree.els.get(index) else {
                continue;
            };
            if el.is_foreign() || el.local == "extensionElements" {
                continue;
            }
            stack.extend(el.children.iter().rev());
            if let Some(id) = el.id() {
                let event_definition = if el.is_event() {
                    self.children(el)
                        .find(|c| c.local.ends_with("EventDefinition"))
                        .map(|c| c.local.clone())
                } else {
                    None
                };
                self.doc.elements.push(ElementRef {
                    id,
                    tag: el.local.clone(),
                    name: el.name(),
                    line: el.line,
                    event_definition,
                });
            }
            let allowed = motcua_allowed(&el.local);
            for attr in el.motcua_attrs() {
                if !allowed.contains(&attr.local.as_str()) {
                    self.attribute_problem(el, &format!("motcua:{}", attr.local));
                }
            }
        }
    }

    fn collaboration(&mut self, el: &'t El) {
        for child in self.children(el) {
            match child.local.as_str() {
                "participant" => {
                    let Some(id) = self.required_id(child) else {
                        continue;
                    };
                    for grandchild in self.children(child) {
                        if !is_descriptive(&grandchild.local) && !grandchild.is_foreign() {
                            let gid = grandchild.id().or_else(|| Some(id.clone()));
                            self.unsupported(grandchild.local.clone(), gid, grandchild.line);
                        }
                    }
                    self.doc.participants.push(Participant {
                        id,
                        name: child.name(),
                        process_ref: child.attr_trim("processRef"),
                        line: child.line,
                    });
                }
                "textAnnotation" | "association" | "group" => {}
                local if is_descriptive(local) || child.is_foreign() => {}
                local => self.unsupported(local, child.id(), child.line),
            }
        }
    }

    /// The element's id, or an attribute problem saying it has none.
    fn required_id(&mut self, el: &El) -> Option<String> {
        let id = el.id();
        if id.is_none() {
            self.attribute_problem(el, "id=");
        }
        id
    }

    fn process(&mut self, el: &'t El) {
        let id = el.id().unwrap_or_default();
        let mut process = Process {
            id: id.clone(),
            name: el.name(),
            line: el.line,
            ..Process::default()
        };
        let mut lanes = LaneAcc::default();
        self.scope(el, None, &id, &mut process, &mut lanes);
        assign_lanes(&mut process, &lanes);
        process.lanes = lanes.lanes;
        self.doc.processes.push(process);
    }

    /// The children of a process or sub-process. `parent`: the sub-process, `None` at the top.
    fn scope(
        &mut self,
        el: &'t El,
        parent: Option<&str>,
        owner: &str,
        process: &mut Process,
        lanes: &mut LaneAcc,
    ) {
        for child in self.children(el) {
            self.scope_child(child, parent, owner, process, lanes);
        }
    }

    fn node(&mut self, el: &El, kind: NodeKind, parent: Option<&str>, process: &mut Process) {
        let Some(id) = self.required_id(el) else {
            return;
        };
        process.nodes.push(Node {
            id,
            name: el.name(),
            kind,
            line: el.line,
            parent: parent.map(str::to_owned),
        });
    }

    /// Reports the children of a flow node that the engine does not run (loop characteristics,
    /// data associations, resource assignments, ...), each by its own name.
    fn node_children(&mut self, el: &'t El, also_allowed: &[&str]) {
        for child in self.children(el) {
            let local = child.local.as_str();
            if is_descriptive(local)
                || matches!(local, "incoming" | "outgoing")
                || also_allowed.contains(&local)
                || child.is_foreign()
            {
                continue;
            }
            let id = child.id().or_else(|| el.id());
            self.unsupported(local, id, child.line);
        }
    }

    fn event_definitions(&self, el: &'t El) -> Vec<&'t El> {
        self.children(el)
            .filter(|c| c.local.ends_with("EventDefinition") || c.local == "eventDefinitionRef")
            .collect()
    }

    /// `startEvent`, `boundaryEvent/errorEventDefinition`, `endEvent/messageEventDefinition+signalEventDefinition`.
    fn event_name(el: &El, definitions: &[&El]) -> String {
        if definitions.is_empty() {
            el.local.clone()
        } else {
            let names: Vec<&str> = definitions.iter().map(|d| d.local.as_str()).collect();
            format!("{}/{}", el.local, names.join("+"))
        }
    }

    fn scope_child(
        &mut self,
        el: &'t El,
        parent: Option<&str>,
        owner: &str,
        process: &mut Process,
        lanes: &mut LaneAcc,
    ) {
        let local = el.local.as_str();
        match local {
            "startEvent" => {
                let definitions = self.event_definitions(el);
                if definitions.is_empty() {
                    self.node_children(el, &[]);
                    self.node(el, NodeKind::StartEvent, parent, process);
                } else {
                    self.unsupported(Self::event_name(el, &definitions), el.id(), el.line);
                }
            }
            "endEvent" => {
                let definitions = self.event_definitions(el);
                let terminate = match definitions.as_slice() {
                    [] => Some(false),
                    [only] if only.local == "terminateEventDefinition" => Some(true),
                    _ => None,
                };
                match terminate {
                    Some(terminate) => {
                        self.node_children(el, &["terminateEventDefinition"]);
                        self.node(el, NodeKind::EndEvent { terminate }, parent, process);
                    }
                    None => self.unsupported(Self::event_name(el, &definitions), el.id(), el.line),
                }
            }
            "boundaryEvent" => self.boundary_event(el, parent, process),
            "userTask" => {
                self.node_children(el, &[]);
                let task = self.user_task(el);
                self.node(el, NodeKind::UserTask(task), parent, process);
            }
            "serviceTask" => {
                self.node_children(el, &[]);
                let action = el.motcua("action");
                self.node(el, NodeKind::ServiceTask { action }, parent, process);
            }
            "exclusiveGateway" => {
                self.node_children(el, &[]);
                let default = el.attr_trim("default");
                self.node(el, NodeKind::ExclusiveGateway { default }, parent, process);
            }
            "inclusiveGateway" => {
                self.node_children(el, &[]);
                let default = el.attr_trim("default");
                self.node(el, NodeKind::InclusiveGateway { default }, parent, process);
            }
            "parallelGateway" => {
                self.node_children(el, &[]);
                self.node(el, NodeKind::ParallelGateway, parent, process);
            }
            "subProcess" => {
                if el.bool_attr("triggeredByEvent") == Some(true) {
                    self.unsupported("subProcess[triggeredByEvent]", el.id(), el.line);
                    return;
                }
                let Some(id) = el.id() else {
                    self.required_id(el);
                    return;
                };
                self.node(el, NodeKind::SubProcess, parent, process);
                self.scope(el, Some(&id), &id, process, lanes);
            }
            "sequenceFlow" => self.sequence_flow(el, process),
            "laneSet" => self.lane_set(el, None, 0, owner, lanes),
            "incoming" | "outgoing" | "textAnnotation" | "association" | "group" | "category" => {}
            _ if is_descriptive(local) || el.is_foreign() => {}
            _ => {
                let name = if el.is_event() {
                    Self::event_name(el, &self.event_definitions(el))
                } else {
                    local.to_owned()
                };
                let id = el
                    .id()
                    .or_else(|| (!owner.is_empty()).then(|| owner.to_owned()));
                self.unsupported(name, id, el.line);
            }
        }
    }

    fn user_task(&mut self, el: &El) -> UserTask {
        let days = el
            .motcua_attrs()
            .find(|a| a.local == "days")
            .map(|a| a.value.clone());
        let share = el
            .motcua_attrs()
            .find(|a| a.local == "share")
            .map(|a| a.value.clone());
        if days.is_some() && share.is_some() {
            self.attribute_problem(el, "motcua:days+motcua:share");
        }
        let budget = if let Some(days) = days {
            match number(&days) {
                Some(d) => Some(Budget::Days(d)),
                None => {
                    self.attribute_problem(el, &format!("motcua:days={}", days.trim()));
                    None
                }
            }
        } else if let Some(share) = share {
            match number(&share) {
                Some(s) => Some(Budget::Share(s)),
                None => {
                    self.attribute_problem(el, &format!("motcua:share={}", share.trim()));
                    None
                }
            }
        } else {
            None
        };
        UserTask {
            role: el.motcua("role"),
            agency: el.motcua("agency"),
            action: el.motcua("action"),
            budget,
        }
    }

    fn boundary_event(&mut self, el: &'t El, parent: Option<&str>, process: &mut Process) {
        let definitions = self.event_definitions(el);
        let timer = match definitions.as_slice() {
            [only] if only.local == "timerEventDefinition" => *only,
            _ => {
                self.unsupported(Self::event_name(el, &definitions), el.id(), el.line);
                return;
            }
        };
        let mut duration = None;
        for child in self.children(timer) {
            match child.local.as_str() {
                "timeDuration" => duration = Some(unquote(&child.text)).filter(|d| !d.is_empty()),
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    self.unsupported(
                        format!("boundaryEvent/timerEventDefinition/{local}"),
                        el.id(),
                        child.line,
                    );
                    return;
                }
            }
        }
        self.node_children(el, &["timerEventDefinition"]);
        let kind = NodeKind::BoundaryTimer {
            attached_to: el.attr_trim("attachedToRef").unwrap_or_default(),
            interrupting: el.bool_attr("cancelActivity").unwrap_or(true),
            duration,
        };
        self.node(el, kind, parent, process);
    }

    fn sequence_flow(&mut self, el: &'t El, process: &mut Process) {
        let Some(id) = self.required_id(el) else {
            return;
        };
        let mut condition = None;
        for child in self.children(el) {
            match child.local.as_str() {
                "conditionExpression" => condition = clean_condition(&child.text),
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    let cid = child.id().or_else(|| Some(id.clone()));
                    self.unsupported(local, cid, child.line);
                }
            }
        }
        process.flows.push(SequenceFlow {
            id,
            name: el.name(),
            source: el.attr_trim("sourceRef").unwrap_or_default(),
            target: el.attr_trim("targetRef").unwrap_or_default(),
            condition,
            line: el.line,
        });
    }

    fn lane_set(
        &mut self,
        el: &'t El,
        parent: Option<usize>,
        depth: usize,
        owner: &str,
        acc: &mut LaneAcc,
    ) {
        for child in self.children(el) {
            match child.local.as_str() {
                "lane" => {
                    self.lane(child, parent, depth, acc);
                }
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    let id = child
                        .id()
                        .or_else(|| el.id())
                        .or_else(|| Some(owner.to_owned()));
                    self.unsupported(local, id, child.line);
                }
            }
        }
    }

    /// Adds a lane and its nested lanes; returns the ids of every node in it.
    fn lane(
        &mut self,
        el: &'t El,
        parent: Option<usize>,
        depth: usize,
        acc: &mut LaneAcc,
    ) -> Vec<String> {
        let parent_lane = parent.and_then(|p| acc.lanes.get(p));
        let name = el.name();
        let role = el
            .motcua("role")
            .or_else(|| guess_role(&name))
            .or_else(|| parent_lane.and_then(|l| l.role.clone()));
        let agency = el
            .motcua("agency")
            .or_else(|| parent_lane.and_then(|l| l.agency.clone()));
        let index = acc.lanes.len();
        acc.lanes.push(Lane {
            id: el.id().unwrap_or_default(),
            name,
            role,
            agency,
            nodes: Vec::new(),
            line: el.line,
        });
        let mut nodes: Vec<String> = Vec::new();
        for child in self.children(el) {
            match child.local.as_str() {
                "flowNodeRef" => {
                    let node = child.text.trim();
                    if !node.is_empty() {
                        acc.direct.push((node.to_owned(), index, depth));
                        nodes.push(node.to_owned());
                    }
                }
                "childLaneSet" => {
                    for grandchild in self.children(child) {
                        match grandchild.local.as_str() {
                            "lane" => {
                                let inner = self.lane(grandchild, Some(index), depth + 1, acc);
                                nodes.extend(inner);
                            }
                            local if is_descriptive(local) || grandchild.is_foreign() => {}
                            local => {
                                let id = grandchild.id().or_else(|| el.id());
                                self.unsupported(local, id, grandchild.line);
                            }
                        }
                    }
                }
                local if is_descriptive(local) || child.is_foreign() => {}
                local => {
                    let id = child.id().or_else(|| el.id());
                    self.unsupported(local, id, child.line);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        nodes.retain(|n| seen.insert(n.clone()));
        if let Some(lane) = acc.lanes.get_mut(index) {
            lane.nodes = nodes.clone();
        }
        nodes
    }

    fn diagram(&mut self, el: &'t El, diagram: &mut Diagram) {
        for child in self.children(el) {
            match child.local.as_str() {
                "BPMNPlane" => {
                    for item in self.children(child) {
                        self.diagram_item(item, diagram);
                    }
                }
                _ => self.diagram_item(child, diagram),
            }
        }
    }

    fn diagram_item(&self, el: &'t El, diagram: &mut Diagram) {
        match el.local.as_str() {
            "BPMNShape" => {
                let Some(element) = el.attr_trim("bpmnElement") else {
                    return;
                };
                let Some(bounds) = self
                    .children(el)
                    .find(|c| c.local == "Bounds")
                    .and_then(bounds)
                else {
                    return;
                };
                diagram.shapes.push(Shape {
                    element,
                    bounds,
                    is_expanded: el.bool_attr("isExpanded"),
                    is_horizontal: el.bool_attr("isHorizontal"),
                    label: self.label(el),
                });
            }
            "BPMNEdge" => {
                let Some(element) = el.attr_trim("bpmnElement") else {
                    return;
                };
                let mut waypoints = Vec::new();
                for point in self.children(el).filter(|c| c.local == "waypoint") {
                    let (Some(x), Some(y)) = (coordinate(point, "x"), coordinate(point, "y"))
                    else {
                        return;
                    };
                    waypoints.push((x, y));
                }
                diagram.edges.push(Edge {
                    element,
                    waypoints,
                    label: self.label(el),
                });
            }
            _ => {}
        }
    }

    fn label(&self, el: &'t El) -> Option<Bounds> {
        let label = self.children(el).find(|c| c.local == "BPMNLabel")?;
        self.children(label)
            .find(|c| c.local == "Bounds")
            .and_then(bounds)
    }
}

fn coordinate(el: &El, name: &str) -> Option<f64> {
    let value: f64 = el.attr(name)?.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

fn bounds(el: &El) -> Option<Bounds> {
    Some(Bounds {
        x: coordinate(el, "x")?,
        y: coordinate(el, "y")?,
        width: coordinate(el, "width")?,
        height: coordinate(el, "height")?,
    })
}

/// Fills a user task's role and agency from its lane (the innermost lane that lists it, else the
/// lane of the sub-process that contains it, and so on up).
fn assign_lanes(process: &mut Process, acc: &LaneAcc) {
    let mut lane_of: HashMap<&str, (usize, usize)> = HashMap::new();
    for (node, lane, depth) in &acc.direct {
        let entry = lane_of.entry(node.as_str()).or_insert((*lane, *depth));
        if *depth > entry.1 {
            *entry = (*lane, *depth);
        }
    }
    let parents: HashMap<String, Option<String>> = process
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.parent.clone()))
        .collect();
    let limit = process.nodes.len() + 1;
    for node in &mut process.nodes {
        let NodeKind::UserTask(task) = &mut node.kind else {
            continue;
        };
        if task.role.is_some() && task.agency.is_some() {
            continue;
        }
        let mut current = Some(node.id.clone());
        let mut steps = 0;
        let mut lane = None;
        while let Some(id) = current {
            if let Some((index, _)) = lane_of.get(id.as_str()) {
                lane = acc.lanes.get(*index);
                break;
            }
            steps += 1;
            if steps > limit {
                break;
            }
            current = parents.get(&id).cloned().flatten();
        }
        if let Some(lane) = lane {
            if task.role.is_none() {
                task.role = lane.role.clone();
            }
            if task.agency.is_none() {
                task.agency = lane.agency.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_working_days() {
        assert_eq!(duration_in_working_days("P2D"), Some(2.0));
        assert_eq!(duration_in_working_days(" PT4H "), Some(0.5));
        assert_eq!(duration_in_working_days("PT30M"), Some(30.0 / 480.0));
        assert_eq!(duration_in_working_days("P1DT4H"), Some(1.5));
        assert_eq!(duration_in_working_days("P1W"), Some(5.0));
        assert_eq!(duration_in_working_days("P0.5D"), Some(0.5));
        assert_eq!(duration_in_working_days("P1,5D"), Some(1.5));
        assert_eq!(duration_in_working_days("PT8H"), Some(1.0));
        assert_eq!(duration_in_working_days("P0D"), Some(0.0));
        for bad in [
            "", "P", "PT", "P1DT", "P1M", "P1Y", "-P1D", "P-1D", "P1", "PD", "P1D2D", "P1HT", "2D",
            "P1.2.3D", "P1DT1D", "R3/P1D", "P1W1W", "PT1H2H", "P1e400D", "P１D",
        ] {
            assert_eq!(duration_in_working_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn lines_of_offsets() {
        let lines = Lines::new("a\nb\n\nc");
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(1), 1);
        assert_eq!(lines.line(2), 2);
        assert_eq!(lines.line(5), 4);
        assert_eq!(lines.line(u64::MAX), 4);
    }

    #[test]
    fn roles_from_lane_names() {
        assert_eq!(
            guess_role("Bộ phận Tiếp nhận và trả kết quả").as_deref(),
            Some("intake")
        );
        assert_eq!(guess_role("Bộ phận một cửa").as_deref(), Some("intake"));
        assert_eq!(
            guess_role("Chuyên viên thẩm định, trình phê duyệt").as_deref(),
            Some("specialist")
        );
        assert_eq!(
            guess_role("LÃNH ĐẠO PHÒNG XỬ LÝ").as_deref(),
            Some("leader")
        );
        assert_eq!(guess_role("Phòng Kế hoạch"), None);
    }

    #[test]
    fn conditions_and_quotes() {
        assert_eq!(
            clean_condition(" ${ fee > 0 } ").as_deref(),
            Some("fee > 0")
        );
        assert_eq!(clean_condition("fee > 0").as_deref(), Some("fee > 0"));
        assert_eq!(clean_condition("  "), None);
        assert_eq!(unquote(" \"P2D\" "), "P2D");
        assert_eq!(unquote("'PT4H'"), "PT4H");
        assert_eq!(unquote("\""), "\"");
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        for input in [
            "",
            "   ",
            "hello",
            "<",
            "<definitions",
            "<definitions>",
            "<definitions></process>",
            "<definitions/><definitions/>",
            "<definitions a='1' a='2'/>",
            "<definitions>&nbsp;</definitions>",
            "<definitions>&#xFFFFFFFF;</definitions>",
            "<definitions b=\"&bad;\"/>",
            "<process/>",
            "<definitions/>trailing",
        ] {
            assert!(parse_document(input).is_err(), "{input:?}");
        }
        assert!(parse_document("\u{feff}<definitions/>").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut xml = String::from("<definitions>");
        for _ in 0..500 {
            xml.push_str("<a>");
        }
        for _ in 0..500 {
            xml.push_str("</a>");
        }
        xml.push_str("</definitions>");
        let err = parse_document(&xml).unwrap_err();
        assert!(err.message.contains("lồng nhau"), "{err}");
    }
}
