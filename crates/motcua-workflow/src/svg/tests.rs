//! The painter on a small hand-made document and on random ones: well-formed, deterministic,
//! safe with strange numbers and huge names.

use super::text::{N, esc, text_width, truncate, wrap};
use super::*;
use crate::model::{
    Bounds, Diagram, Edge, ElementRef, NodeKind, Participant, Process, SequenceFlow, Shape,
};

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
