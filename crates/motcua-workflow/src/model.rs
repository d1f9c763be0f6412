//! What a BPMN file says, as plain data. The parser fills it from XML; the validator checks it;
//! the engine runs a [`Process`]; the SVG painter draws a [`Diagram`]. Element ids are kept as the
//! analyst wrote them, so every message can name them, with the line they came from.

use serde::{Deserialize, Serialize};

/// The namespace of motcua's own attributes on BPMN elements (`motcua:role`, `motcua:days`, ...).
pub const MOTCUA_NS: &str = "https://motcua.vn/schema/bpmn";

/// A whole BPMN file: what was understood, and what was not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The `bpmn:process` elements, in file order.
    pub processes: Vec<Process>,
    /// Pools (`bpmn:participant`) of a collaboration, if the file has one.
    pub participants: Vec<Participant>,
    /// Every element that has an id, supported or not, in file order: what the SVG painter needs
    /// to draw a shape it does not execute, and what the conformance report counts.
    pub elements: Vec<ElementRef>,
    /// Elements the engine does not support, each named with its id and line.
    pub unsupported: Vec<Unsupported>,
    /// BPMN DI: where each element is drawn; `None` when the file has no diagram.
    pub diagram: Option<Diagram>,
}

/// One element of the file with an id, whatever it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementRef {
    pub id: String,
    /// The XML local name, e.g. `userTask`, `intermediateCatchEvent`, `dataObjectReference`.
    pub tag: String,
    pub name: String,
    /// 1-based line of the element's start tag.
    pub line: u32,
    /// For events: the local name of the event definition, e.g. `timerEventDefinition`.
    pub event_definition: Option<String>,
}

/// An element the engine cannot run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsupported {
    /// The XML local name, e.g. `scriptTask`, or `intermediateThrowEvent/messageEventDefinition`.
    pub element: String,
    pub id: Option<String>,
    pub line: u32,
}

/// A pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub process_ref: Option<String>,
    pub line: u32,
}

/// One executable process: its flow nodes (including those inside sub-processes), flows and lanes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub id: String,
    pub name: String,
    pub line: u32,
    pub nodes: Vec<Node>,
    pub flows: Vec<SequenceFlow>,
    pub lanes: Vec<Lane>,
}

/// A flow node: event, task, gateway or sub-process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    pub line: u32,
    /// The sub-process that contains this node; `None` at the process's top level.
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    StartEvent,
    /// `terminate`: a terminate end event ends every token of its scope.
    EndEvent {
        terminate: bool,
    },
    UserTask(UserTask),
    /// A named action of the system, run at once when a token arrives.
    ServiceTask {
        /// `motcua:action`, e.g. `notify_applicant`, `escalate`.
        action: Option<String>,
    },
    ExclusiveGateway {
        default: Option<String>,
    },
    ParallelGateway,
    InclusiveGateway {
        default: Option<String>,
    },
    /// A timer on the boundary of a user task or sub-process: the step's time budget.
    BoundaryTimer {
        attached_to: String,
        /// `cancelActivity`: an interrupting timer takes the token off the task.
        interrupting: bool,
        /// The timer's duration as written (ISO 8601, e.g. `P2D`, counted in working days);
        /// `None` or empty: the task's own budget.
        duration: Option<String>,
    },
    /// An embedded sub-process; its nodes carry its id in `parent`.
    SubProcess,
}

/// Who does a step and how long they have.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserTask {
    /// `motcua:role` on the task, else the role of its lane: `intake`, `specialist`, `leader`.
    pub role: Option<String>,
    /// `motcua:agency` (catalog key) on the task or its lane: a consultation of another agency.
    pub agency: Option<String>,
    /// `motcua:action`: the dossier action that completes this step (e.g. `appraise`, `approve`);
    /// `None`: an internal step completed as such.
    pub action: Option<String>,
    /// The step's time budget.
    pub budget: Option<Budget>,
}

/// A step's time budget, in working days of the domain calendar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// `motcua:days="1.5"`: working days.
    Days(f64),
    /// `motcua:share="0.4"`: a share of the procedure's legal time.
    Share(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceFlow {
    pub id: String,
    pub name: String,
    pub source: String,
    pub target: String,
    /// The `conditionExpression` text, in motcua's condition language (see `expr`).
    pub condition: Option<String>,
    pub line: u32,
}

/// A lane: a role of the agency, or another agency that gives an opinion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    pub id: String,
    pub name: String,
    /// `motcua:role`, else guessed from the name (see the parser).
    pub role: Option<String>,
    /// `motcua:agency`: the catalog key of another agency.
    pub agency: Option<String>,
    /// Ids of the flow nodes in the lane (`flowNodeRef`), including those of nested lanes.
    pub nodes: Vec<String>,
    pub line: u32,
}

/// BPMN DI: the drawing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diagram {
    pub shapes: Vec<Shape>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// The id of the drawn element (`bpmnElement`).
    pub element: String,
    pub bounds: Bounds,
    pub is_expanded: Option<bool>,
    pub is_horizontal: Option<bool>,
    /// Where the label goes, if the file says.
    pub label: Option<Bounds>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The id of the drawn flow or association (`bpmnElement`).
    pub element: String,
    pub waypoints: Vec<(f64, f64)>,
    pub label: Option<Bounds>,
}

impl Document {
    /// The element with this id, supported or not.
    pub fn element(&self, id: &str) -> Option<&ElementRef> {
        self.elements.iter().find(|e| e.id == id)
    }
}

impl Process {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}
