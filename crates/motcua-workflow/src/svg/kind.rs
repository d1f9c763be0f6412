//! What each element is, decided once per element from its tag, its event definition and the
//! flows around it, so that the painters only match on a closed set of kinds.

use std::collections::{HashMap, HashSet};

use super::RenderOptions;
use super::geometry::rect;
use super::text::{clip, token};
use crate::model::{Document, Edge, ElementRef, NodeKind, Shape};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum EventPos {
    Start,
    End,
    Catch,
    Throw,
    Boundary,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum EventDef {
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
pub(super) enum TaskType {
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
pub(super) enum GatewayType {
    Exclusive,
    Parallel,
    Inclusive,
    EventBased,
    Complex,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
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
    pub(super) fn layer(&self) -> u8 {
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
    pub(super) fn external_label(&self) -> bool {
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
pub(super) enum EdgeKind {
    Sequence { default: bool, conditional: bool },
    Message,
    Association,
    DataAssociation,
    Other,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum State {
    Normal,
    Current,
    Done,
}

/// Everything looked up once.
pub(super) struct Context<'a> {
    pub(super) elements: HashMap<&'a str, &'a ElementRef>,
    /// Boundary events known not to interrupt.
    non_interrupting: HashSet<&'a str>,
    default_flows: HashSet<&'a str>,
    /// Flow id → (source, target, has a condition).
    pub(super) flows: HashMap<&'a str, (&'a str, &'a str, bool)>,
    /// Pools without a process.
    black_boxes: HashSet<&'a str>,
    highlight: HashSet<&'a str>,
    done: HashSet<&'a str>,
    pub(super) prefix: String,
    pub(super) title: Option<&'a str>,
}

impl<'a> Context<'a> {
    pub(super) fn new(doc: &'a Document, options: &RenderOptions<'a>) -> Self {
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

    pub(super) fn state(&self, id: &str) -> State {
        if self.highlight.contains(id) {
            State::Current
        } else if self.done.contains(id) {
            State::Done
        } else {
            State::Normal
        }
    }

    pub(super) fn shape_kind(&self, shape: &Shape) -> Kind {
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

    pub(super) fn edge_kind(&self, edge: &Edge) -> EdgeKind {
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

    pub(super) fn name_of(&self, id: &str) -> String {
        match self.elements.get(id) {
            Some(e) if !e.name.trim().is_empty() => clip(e.name.trim()),
            _ => clip(id),
        }
    }
}
