//! BPMN DI: where each element is drawn (shapes with bounds, edges with waypoints, label bounds),
//! for the SVG painter. A shape or edge whose numbers cannot be read is left out rather than
//! failing the file: the process still runs without its picture.

use super::build::Builder;
use super::tree::El;
use crate::model::{Bounds, Diagram, Edge, Shape};

impl<'t> Builder<'t> {
    pub(super) fn diagram(&mut self, el: &'t El, diagram: &mut Diagram) {
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
