//! The flow nodes and sequence flows of a process or sub-process, into the model: the subset the
//! engine runs becomes nodes (with motcua's attributes read), every other element or event
//! definition is reported by its own name, so the check can say exactly what is not supported.

use super::build::{Builder, is_descriptive};
use super::lanes::LaneAcc;
use super::tree::El;
use crate::model::{Budget, Node, NodeKind, Process, SequenceFlow, UserTask};

impl<'t> Builder<'t> {
    /// The children of a process or sub-process. `parent`: the sub-process, `None` at the top.
    pub(super) fn scope(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
