//! The second pass, from the root: every element with an id recorded, then processes, pools and
//! the first diagram read; anything else at the top level is reported as unsupported rather than
//! silently dropped.

use super::lanes::{LaneAcc, assign_lanes};
use super::tree::{El, Tree};
use crate::model::{Diagram, Document, ElementRef, Participant, Process, Unsupported};

/// Children that every element may carry without meaning anything to the engine.
pub(super) fn is_descriptive(local: &str) -> bool {
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

pub(super) struct Builder<'t> {
    pub(super) tree: &'t Tree,
    pub(super) doc: Document,
}

impl<'t> Builder<'t> {
    pub(super) fn el(&self, index: usize) -> Option<&'t El> {
        self.tree.els.get(index)
    }

    pub(super) fn children(&self, el: &'t El) -> impl Iterator<Item = &'t El> + use<'t> {
        let tree = self.tree;
        el.children.iter().filter_map(move |&i| tree.els.get(i))
    }

    pub(super) fn unsupported(
        &mut self,
        element: impl Into<String>,
        id: Option<String>,
        line: u32,
    ) {
        self.doc.unsupported.push(Unsupported {
            element: element.into(),
            id,
            line,
        });
    }

    /// An attribute situation: `tag[what]`, with the element's id and line.
    pub(super) fn attribute_problem(&mut self, el: &El, what: &str) {
        self.unsupported(format!("{}[{what}]", el.local), el.id(), el.line);
    }

    pub(super) fn build(&mut self) {
        self.record_elements();
        let Some(root) = self.el(0) else { return };
        let mut diagram = Diagram::default();
        for child in self.children(root) {
            match child.local.as_str() {
                "process" => self.process(child),
                "collaboration" => self.collaboration(child),
                // Further diagrams are drill-down views of sub-processes; the first is the
                // process as a whole, the one drawn.
                "BPMNDiagram" if diagram.shapes.is_empty() && diagram.edges.is_empty() => {
                    self.diagram(child, &mut diagram)
                }
                "BPMNDiagram" => {}
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
    pub(super) fn required_id(&mut self, el: &El) -> Option<String> {
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
}
