#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Conformance: the 21 reference models of the BPMN Model Interchange Working Group
//! (`../shared/bpmn/miwg/`, or `MOTCUA_MIWG_DIR`). Every one must parse, never panic, and be
//! read as the file says: its flows, its nodes, its drawing, and what motcua does not run,
//! named. The expected numbers below were counted from the files themselves (`grep -c`, and a
//! separate reading with Python's ElementTree); the counts of sequence flows and DI shapes and
//! edges are also recounted from the text here.
//!
//! Run with `--nocapture` to see the table.

use motcua_workflow::{Document, NodeKind, check, parse_document};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each file holds, as counted from the file. `hidden_flows`: sequence flows inside an
/// event sub-process (`triggeredByEvent="true"`), which is not run and not descended into.
struct Expected {
    file: &'static str,
    processes: usize,
    participants: usize,
    /// Flow nodes motcua runs (start/end/terminate events, user and service tasks, exclusive,
    /// inclusive and parallel gateways, boundary duration timers, embedded sub-processes).
    nodes: usize,
    hidden_flows: usize,
    /// Some of the unsupported element names the file must report.
    unsupported: &'static [&'static str],
}

const EXPECTED: &[Expected] = &[
    Expected {
        file: "A.1.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 2,
        hidden_flows: 0,
        unsupported: &["task"],
    },
    Expected {
        file: "A.2.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 4,
        hidden_flows: 0,
        unsupported: &["task"],
    },
    Expected {
        file: "A.2.1.bpmn",
        processes: 1,
        participants: 0,
        nodes: 4,
        hidden_flows: 0,
        unsupported: &["task", "ioSpecification"],
    },
    Expected {
        file: "A.3.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 4,
        hidden_flows: 0,
        unsupported: &[
            "task",
            "boundaryEvent/messageEventDefinition",
            "boundaryEvent/escalationEventDefinition",
        ],
    },
    Expected {
        file: "A.4.0.bpmn",
        processes: 2,
        participants: 1,
        nodes: 11,
        hidden_flows: 0,
        unsupported: &["task", "message", "messageFlow"],
    },
    Expected {
        file: "A.4.1.bpmn",
        processes: 2,
        participants: 2,
        nodes: 11,
        hidden_flows: 0,
        unsupported: &["task", "messageFlow"],
    },
    Expected {
        file: "B.1.0.bpmn",
        processes: 4,
        participants: 2,
        nodes: 19,
        hidden_flows: 0,
        unsupported: &[
            "callActivity",
            "dataStore",
            "dataStoreReference",
            "dataObjectReference",
            "globalTask",
            "startEvent/timerEventDefinition",
            "startEvent/messageEventDefinition",
        ],
    },
    Expected {
        file: "B.2.0.bpmn",
        processes: 4,
        participants: 2,
        nodes: 35,
        hidden_flows: 0,
        unsupported: &[
            "sendTask",
            "receiveTask",
            "eventBasedGateway",
            "callActivity",
            "standardLoopCharacteristics",
            "multiInstanceLoopCharacteristics",
            "intermediateCatchEvent/linkEventDefinition",
            "boundaryEvent/timerEventDefinition/timeDate",
            "boundaryEvent/conditionalEventDefinition",
        ],
    },
    Expected {
        file: "C.1.0.bpmn",
        processes: 2,
        participants: 2,
        nodes: 11,
        hidden_flows: 0,
        unsupported: &[
            "eventBasedGateway",
            "potentialOwner",
            "intermediateCatchEvent/timerEventDefinition",
        ],
    },
    Expected {
        file: "C.1.1.bpmn",
        processes: 1,
        participants: 0,
        nodes: 10,
        hidden_flows: 0,
        unsupported: &["dataObjectReference", "potentialOwner", "itemDefinition"],
    },
    Expected {
        file: "C.2.0.bpmn",
        processes: 4,
        participants: 4,
        nodes: 11,
        hidden_flows: 0,
        unsupported: &[
            "task",
            "boundaryEvent/errorEventDefinition",
            "intermediateThrowEvent/messageEventDefinition",
        ],
    },
    Expected {
        file: "C.3.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 12,
        hidden_flows: 0,
        unsupported: &[
            "boundaryEvent/messageEventDefinition",
            "startEvent/messageEventDefinition",
            "potentialOwner",
        ],
    },
    Expected {
        file: "C.4.0.bpmn",
        processes: 4,
        participants: 4,
        nodes: 27,
        hidden_flows: 0,
        unsupported: &[
            "manualTask",
            "signal",
            "intermediateThrowEvent/signalEventDefinition",
        ],
    },
    Expected {
        file: "C.5.0.bpmn",
        processes: 2,
        participants: 1,
        nodes: 33,
        hidden_flows: 0,
        unsupported: &[
            "callActivity",
            "task",
            "dataInputAssociation",
            "endEvent/signalEventDefinition",
        ],
    },
    Expected {
        file: "C.6.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 16,
        hidden_flows: 6,
        unsupported: &[
            "subProcess[triggeredByEvent]",
            "sendTask",
            "eventBasedGateway",
            "boundaryEvent/compensateEventDefinition",
        ],
    },
    Expected {
        file: "C.7.0.bpmn",
        processes: 1,
        participants: 1,
        nodes: 10,
        hidden_flows: 0,
        unsupported: &[
            "businessRuleTask",
            "multiInstanceLoopCharacteristics",
            "performer",
            "relationship",
        ],
    },
    Expected {
        file: "C.8.0.bpmn",
        processes: 1,
        participants: 0,
        nodes: 12,
        hidden_flows: 0,
        unsupported: &[
            "businessRuleTask",
            "sendTask",
            "boundaryEvent/errorEventDefinition",
        ],
    },
    Expected {
        file: "C.8.1.bpmn",
        processes: 1,
        participants: 1,
        nodes: 12,
        hidden_flows: 0,
        unsupported: &["businessRuleTask", "sendTask", "interface", "error"],
    },
    Expected {
        file: "C.9.0.bpmn",
        processes: 1,
        participants: 1,
        nodes: 11,
        hidden_flows: 6,
        unsupported: &[
            "subProcess[triggeredByEvent]",
            "callActivity",
            "businessRuleTask",
            "sendTask",
        ],
    },
    Expected {
        file: "C.9.1.bpmn",
        processes: 1,
        participants: 1,
        nodes: 6,
        hidden_flows: 0,
        unsupported: &[
            "boundaryEvent/timerEventDefinition/timeCycle",
            "receiveTask",
            "sendTask",
            "message",
        ],
    },
    Expected {
        file: "C.9.2.bpmn",
        processes: 1,
        participants: 1,
        nodes: 4,
        hidden_flows: 9,
        unsupported: &[
            "subProcess[triggeredByEvent]",
            "endEvent/errorEventDefinition",
            "error",
        ],
    },
];

fn miwg_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MOTCUA_MIWG_DIR") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bpmn/miwg");
    dir.is_dir().then_some(dir)
}

/// How many start tags `<tag ...>` / `<prefix:tag ...>` the text has (what `grep -o` counts).
fn count_tags(xml: &str, tag: &str) -> usize {
    start_tags(xml, tag).count()
}

/// The start tags of an element, as text, from `<` to `>`.
fn start_tags<'a>(xml: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> {
    xml.match_indices('<').filter_map(move |(at, _)| {
        let rest = &xml[at + 1..];
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        (local == tag).then(|| &rest[..rest.find('>').unwrap_or(rest.len())])
    })
}

/// DI shapes or edges that name the element they draw (one edge of C.7.0 connects two shapes
/// without naming a BPMN element: it is not a drawing of anything motcua reads).
/// The text up to the end of the first diagram.
fn first_diagram(xml: &str) -> &str {
    match xml.find("BPMNDiagram>") {
        Some(end) => &xml[..end],
        None => xml,
    }
}

fn count_drawn_tags(xml: &str, tag: &str) -> usize {
    count_tags(first_diagram(xml), tag)
}

/// DI elements of the first diagram (later ones are drill-down views of sub-processes, not drawn).
fn count_drawn(xml: &str, tag: &str) -> usize {
    start_tags(first_diagram(xml), tag)
        .filter(|t| t.contains("bpmnElement="))
        .count()
}

fn nodes(doc: &Document) -> usize {
    doc.processes.iter().map(|p| p.nodes.len()).sum()
}

fn flows(doc: &Document) -> usize {
    doc.processes.iter().map(|p| p.flows.len()).sum()
}

#[test]
fn miwg_reference_models() {
    let Some(dir) = miwg_dir() else {
        println!("notice: ../shared/bpmn/miwg absent, conformance test skipped");
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".bpmn"))
        .collect();
    files.sort();
    let expected_files: Vec<&str> = EXPECTED.iter().map(|e| e.file).collect();
    assert_eq!(
        files,
        expected_files,
        "the reference models in {}",
        dir.display()
    );

    println!(
        "{:<11} {:>5} {:>5} {:>5} {:>7} {:>8} unsupported",
        "file", "proc", "nodes", "flows", "shapes", "problems"
    );
    for expected in EXPECTED {
        let path = dir.join(expected.file);
        let xml = std::fs::read_to_string(&path).unwrap();
        let doc = parse_document(&xml).unwrap_or_else(|e| panic!("{}: {e}", expected.file));
        let file = expected.file;

        // Deterministic.
        assert_eq!(parse_document(&xml).unwrap(), doc, "{file}");

        assert_eq!(doc.processes.len(), expected.processes, "{file}: processes");
        assert_eq!(
            doc.participants.len(),
            expected.participants,
            "{file}: participants"
        );
        assert_eq!(nodes(&doc), expected.nodes, "{file}: supported nodes");
        assert_eq!(
            flows(&doc),
            count_tags(&xml, "sequenceFlow") - expected.hidden_flows,
            "{file}: sequence flows"
        );
        let diagram = doc
            .diagram
            .as_ref()
            .unwrap_or_else(|| panic!("{file}: no diagram"));
        assert_eq!(
            diagram.shapes.len(),
            count_drawn(&xml, "BPMNShape"),
            "{file}: shapes"
        );
        assert_eq!(
            diagram.edges.len(),
            count_drawn(&xml, "BPMNEdge"),
            "{file}: edges"
        );
        if file == "C.7.0.bpmn" {
            assert_eq!(count_drawn_tags(&xml, "BPMNEdge"), diagram.edges.len() + 1);
        } else {
            assert_eq!(
                count_drawn_tags(&xml, "BPMNEdge"),
                diagram.edges.len(),
                "{file}: edges"
            );
        }
        // Every abstract `task` is reported, by name, with its id and line.
        let tasks: Vec<_> = doc
            .unsupported
            .iter()
            .filter(|u| u.element == "task")
            .collect();
        assert_eq!(tasks.len(), count_tags(&xml, "task"), "{file}: tasks");
        for u in &doc.unsupported {
            assert!(
                u.line >= 1 && (u.line as usize) <= xml.lines().count(),
                "{file}: {u:?}"
            );
            if let Some(id) = &u.id {
                assert!(
                    doc.element(id).is_some(),
                    "{file}: {u:?} not among the elements"
                );
            }
        }
        let names: BTreeSet<&str> = doc.unsupported.iter().map(|u| u.element.as_str()).collect();
        for name in expected.unsupported {
            assert!(
                names.contains(name),
                "{file}: {name} not reported; reported {names:?}"
            );
        }
        // Every element read as a node is recorded with the same id, tag family and line.
        for n in doc.processes.iter().flat_map(|p| &p.nodes) {
            let e = doc.element(&n.id).unwrap();
            assert_eq!(e.line, n.line, "{file}: {}", n.id);
        }

        let problems = check(&doc);
        assert_eq!(check(&doc), problems, "{file}: check is deterministic");
        assert!(
            !problems.is_empty(),
            "{file}: the reference models are descriptive, not runnable by motcua"
        );
        for u in &doc.unsupported {
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == u.line && p.message.contains(&u.element)),
                "{file}: {u:?} not among the problems"
            );
        }
        assert!(
            problems.windows(2).all(|w| w[0].line <= w[1].line),
            "{file}: problems sorted by line"
        );

        println!(
            "{:<11} {:>5} {:>5} {:>5} {:>7} {:>8} {}",
            file,
            doc.processes.len(),
            nodes(&doc),
            flows(&doc),
            format!("{}/{}", diagram.shapes.len(), diagram.edges.len()),
            problems.len(),
            names.into_iter().collect::<Vec<_>>().join(", ")
        );
    }

    // A few facts read off the files.
    let read =
        |file: &str| parse_document(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    // A.1.0: start → three abstract tasks → end.
    let a10 = read("A.1.0.bpmn");
    let kinds: Vec<&str> = a10
        .elements
        .iter()
        .take_while(|e| e.tag != "BPMNDiagram")
        .map(|e| e.tag.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "definitions",
            "process",
            "startEvent",
            "task",
            "task",
            "task",
            "endEvent",
            "sequenceFlow",
            "sequenceFlow",
            "sequenceFlow",
            "sequenceFlow"
        ]
    );
    assert_eq!(a10.processes[0].nodes[0].kind, NodeKind::StartEvent);
    assert_eq!(a10.processes[0].nodes[0].line, 4);
    assert_eq!(a10.unsupported[0].line, 7);
    // C.3.0: a boundary timer whose duration is written in CDATA.
    let c30 = read("C.3.0.bpmn");
    let timer = c30.processes[0]
        .nodes
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::BoundaryTimer { duration, .. } => Some(duration.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(timer.as_deref(), Some("PT2H"));
    // C.4.0 has four diagrams; the first (27 shapes) is drawn, the others are drill-down views
    // that would otherwise be drawn on top of it.
    let c40 = read("C.4.0.bpmn");
    assert_eq!(c40.diagram.unwrap().shapes.len(), 27);
    // C.9.1: the timer with `timeCycle` is reported, the one with `timeDuration` P7D is read.
    let c91 = read("C.9.1.bpmn");
    let durations: Vec<Option<String>> = c91.processes[0]
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::BoundaryTimer {
                duration,
                interrupting,
                ..
            } => Some((duration.clone(), *interrupting)),
            _ => None,
        })
        .map(|(d, _)| d)
        .collect();
    assert_eq!(durations, [Some("P7D".to_owned())]);
}
