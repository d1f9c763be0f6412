#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The parser and the validator on the fixtures of `tests/bpmn/` and on small inline files.

use motcua_workflow::parse::duration_in_working_days;
use motcua_workflow::summary::summarize;
use motcua_workflow::{Budget, Document, NodeKind, Problem, check, executable, parse_document};
use proptest::prelude::*;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bpmn")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parsed(name: &str) -> Document {
    parse_document(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The 1-based line of the first line of `xml` that contains `needle`.
fn line_of(xml: &str, needle: &str) -> u32 {
    let index = xml
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not found"));
    u32::try_from(index + 1).unwrap()
}

/// The line of `id="..."` in the fixture.
fn id_line(xml: &str, id: &str) -> u32 {
    line_of(xml, &format!("id=\"{id}\""))
}

/// (line, element) of each problem.
fn located(problems: &[Problem]) -> Vec<(u32, Option<&str>)> {
    problems
        .iter()
        .map(|p| (p.line, p.element.as_deref()))
        .collect()
}

fn show(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{} {:?} {}\n", p.line, p.element, p.message))
        .collect()
}

fn node<'a>(doc: &'a Document, id: &str) -> &'a motcua_workflow::Node {
    doc.processes
        .iter()
        .find_map(|p| p.node(id))
        .unwrap_or_else(|| panic!("no node {id}"))
}

fn user_task<'a>(doc: &'a Document, id: &str) -> &'a motcua_workflow::UserTask {
    match &node(doc, id).kind {
        NodeKind::UserTask(task) => task,
        other => panic!("{id} is {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Valid fixtures.

#[test]
fn sequence_with_lanes() {
    let xml = fixture("sequence.bpmn");
    let doc = parsed("sequence.bpmn");
    assert_eq!(doc.processes.len(), 1);
    let p = &doc.processes[0];
    assert_eq!(p.id, "Process_sequence");
    assert_eq!(p.name, "Cấp giấy chứng nhận đăng ký hộ kinh doanh");
    let ids: Vec<&str> = p.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Start",
            "Task_receive",
            "Task_appraise",
            "Task_approve",
            "Task_notify",
            "End"
        ]
    );
    assert!(p.nodes.iter().all(|n| n.parent.is_none()));
    // Lines are those of the start tags (checked by hand, and against the text).
    assert_eq!(node(&doc, "Start").line, 21);
    assert_eq!(node(&doc, "Task_receive").line, 24);
    assert_eq!(node(&doc, "End").line, 41);
    assert_eq!(p.flows[1].id, "Flow_2");
    assert_eq!(p.flows[1].line, 45);
    for n in &p.nodes {
        assert_eq!(n.line, id_line(&xml, &n.id), "{}", n.id);
    }

    let lanes: Vec<(&str, Option<&str>, usize)> = p
        .lanes
        .iter()
        .map(|l| (l.id.as_str(), l.role.as_deref(), l.nodes.len()))
        .collect();
    assert_eq!(
        lanes,
        [
            ("Lane_intake", Some("intake"), 4),
            ("Lane_specialist", Some("specialist"), 1),
            ("Lane_leader", Some("leader"), 1)
        ]
    );

    let receive = user_task(&doc, "Task_receive");
    assert_eq!(receive.role.as_deref(), Some("intake"));
    assert_eq!(receive.action, None);
    assert_eq!(receive.budget, Some(Budget::Days(0.5)));
    let appraise = user_task(&doc, "Task_appraise");
    assert_eq!(appraise.role.as_deref(), Some("specialist"));
    assert_eq!(appraise.action.as_deref(), Some("appraise"));
    assert_eq!(appraise.budget, Some(Budget::Share(0.6)));
    let approve = user_task(&doc, "Task_approve");
    assert_eq!(
        (approve.role.as_deref(), approve.action.as_deref()),
        (Some("leader"), Some("approve"))
    );
    assert_eq!(approve.budget, Some(Budget::Days(1.0)));
    assert_eq!(
        node(&doc, "Task_notify").kind,
        NodeKind::ServiceTask {
            action: Some("notify_applicant".into())
        }
    );

    assert_eq!(doc.participants.len(), 1);
    assert_eq!(doc.participants[0].id, "Pool_sequence");
    assert_eq!(
        doc.participants[0].process_ref.as_deref(),
        Some("Process_sequence")
    );
    assert!(doc.unsupported.is_empty());

    let diagram = doc.diagram.as_ref().unwrap();
    assert_eq!(diagram.shapes.len(), 10);
    assert_eq!(diagram.edges.len(), 5);
    let pool = diagram
        .shapes
        .iter()
        .find(|s| s.element == "Pool_sequence")
        .unwrap();
    assert_eq!(pool.is_horizontal, Some(true));
    assert_eq!(
        (
            pool.bounds.x,
            pool.bounds.y,
            pool.bounds.width,
            pool.bounds.height
        ),
        (120.0, 60.0, 900.0, 420.0)
    );
    let start = diagram
        .shapes
        .iter()
        .find(|s| s.element == "Start")
        .unwrap();
    assert_eq!(start.label.map(|l| (l.x, l.y)), Some((182.0, 155.0)));
    let flow_2 = diagram
        .edges
        .iter()
        .find(|e| e.element == "Flow_2")
        .unwrap();
    assert_eq!(
        flow_2.waypoints,
        vec![
            (370.0, 130.0),
            (395.0, 130.0),
            (395.0, 270.0),
            (420.0, 270.0)
        ]
    );

    // Every element with an id, in file order, DI included.
    assert_eq!(
        doc.elements.first().map(|e| e.id.as_str()),
        Some("Definitions_sequence")
    );
    let start_ref = doc.element("Start").unwrap();
    assert_eq!(
        (
            start_ref.tag.as_str(),
            start_ref.name.as_str(),
            start_ref.line
        ),
        ("startEvent", "Nhận hồ sơ", 21)
    );
    assert_eq!(start_ref.event_definition, None);
    assert_eq!(doc.element("Lane_leader").unwrap().tag, "lane");
    assert_eq!(doc.element("Flow_5_di").unwrap().tag, "BPMNEdge");

    assert_eq!(check(&doc), vec![]);
    let process = executable(&xml).unwrap();
    assert_eq!(process.id, "Process_sequence");
}

#[test]
fn exclusive_gateway_with_default() {
    let doc = parsed("exclusive.bpmn");
    assert_eq!(
        node(&doc, "Gateway_valid").kind,
        NodeKind::ExclusiveGateway {
            default: Some("Flow_ok".into())
        }
    );
    let p = &doc.processes[0];
    let reject = p.flows.iter().find(|f| f.id == "Flow_reject").unwrap();
    // The Camunda-style `${ ... }` wrapper is gone.
    assert_eq!(
        reject.condition.as_deref(),
        Some("ket_qua_tham_dinh == \"khong_dat\"")
    );
    assert_eq!(reject.name, "Không đạt");
    assert_eq!(
        (reject.source.as_str(), reject.target.as_str()),
        ("Gateway_valid", "Task_refuse")
    );
    assert_eq!(
        p.flows
            .iter()
            .find(|f| f.id == "Flow_ok")
            .unwrap()
            .condition,
        None
    );
    assert_eq!(
        user_task(&doc, "Task_appraise").role.as_deref(),
        Some("specialist")
    );
    let diagram = doc.diagram.as_ref().unwrap();
    assert_eq!((diagram.shapes.len(), diagram.edges.len()), (7, 6));
    assert!(
        diagram
            .edges
            .iter()
            .find(|e| e.element == "Flow_reject")
            .unwrap()
            .label
            .is_some()
    );
    assert_eq!(check(&doc), vec![], "{}", show(&check(&doc)));
}

#[test]
fn parallel_consultation_with_timer() {
    let xml = fixture("consultation.bpmn");
    let doc = parsed("consultation.bpmn");
    let police = user_task(&doc, "Task_police");
    assert_eq!(police.agency.as_deref(), Some("provincial_police"));
    assert_eq!(police.role, None);
    assert_eq!(police.action, None);
    assert_eq!(police.budget, Some(Budget::Days(5.0)));
    assert_eq!(
        user_task(&doc, "Task_health").agency.as_deref(),
        Some("department_of_health")
    );
    assert_eq!(
        user_task(&doc, "Task_receive").role.as_deref(),
        Some("intake")
    );
    assert_eq!(
        user_task(&doc, "Task_approve").role.as_deref(),
        Some("leader")
    );
    assert_eq!(
        user_task(&doc, "Task_approve").budget,
        Some(Budget::Share(0.2))
    );
    let timer = node(&doc, "Timer_police");
    assert_eq!(timer.line, 48);
    assert_eq!(
        timer.kind,
        NodeKind::BoundaryTimer {
            attached_to: "Task_police".into(),
            interrupting: false,
            duration: Some("P4D".into())
        }
    );
    assert_eq!(
        doc.element("Timer_police")
            .unwrap()
            .event_definition
            .as_deref(),
        Some("timerEventDefinition")
    );
    assert_eq!(node(&doc, "Gateway_join").kind, NodeKind::ParallelGateway);
    let lanes: Vec<(&str, Option<&str>, Option<&str>)> = doc.processes[0]
        .lanes
        .iter()
        .map(|l| (l.id.as_str(), l.role.as_deref(), l.agency.as_deref()))
        .collect();
    assert_eq!(
        lanes,
        [
            ("Lane_intake", Some("intake"), None),
            ("Lane_police", None, Some("provincial_police")),
            ("Lane_health", None, Some("department_of_health")),
            ("Lane_leader", Some("leader"), None),
        ]
    );
    assert_eq!(
        doc.diagram
            .as_ref()
            .map(|d| (d.shapes.len(), d.edges.len())),
        Some((16, 10))
    );
    assert_eq!(check(&doc), vec![], "{}", show(&check(&doc)));

    let process = executable(&xml).unwrap();
    let summary = summarize(&process);
    assert_eq!(summary.counts.user_tasks, 4);
    assert_eq!(summary.counts.parallel_gateways, 2);
    assert_eq!(summary.counts.timers, 1);
    assert_eq!(summary.counts.flows, 10);
    let police = summary
        .user_tasks
        .iter()
        .find(|t| t.id == "Task_police")
        .unwrap();
    assert_eq!(police.timers.len(), 1);
    assert_eq!(police.timers[0].working_days, Some(4.0));
    assert!(!police.timers[0].interrupting);
    let text = summary.to_string();
    assert!(
        text.starts_with(
            "Quy trình Process_consultation “Cấp giấy phép kinh doanh dịch vụ lữ hành”\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  - Task_police “Ý kiến về an ninh trật tự” (dòng 40): ý kiến của cơ quan provincial_police; \
             thời hạn 5 ngày làm việc; hẹn giờ Timer_police “Sắp hết hạn” sau P4D (4 ngày làm việc), không dừng bước\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  - Task_receive “Tiếp nhận hồ sơ” (dòng 31): vai trò tiếp nhận (intake); thời hạn 0,5 ngày làm việc\n"),
        "{text}"
    );
    assert!(
        text.contains("hành động approve; thời hạn 20% thời gian luật định"),
        "{text}"
    );
    assert!(
        text.contains("  - Task_escalate “Nhắc cơ quan được hỏi ý kiến”: escalate\n"),
        "{text}"
    );
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["user_tasks"][1]["agency"], "provincial_police");
    assert_eq!(json["user_tasks"][0]["budget"]["days"], 0.5);
}

#[test]
fn sub_process_with_inclusive_gateways_and_nested_lanes() {
    let doc = parsed("subprocess_inclusive.bpmn");
    let p = &doc.processes[0];
    for id in [
        "Sub_start",
        "Gateway_split",
        "Task_basic",
        "Task_foreign",
        "Task_site",
        "Gateway_join",
        "Sub_end",
    ] {
        assert_eq!(
            node(&doc, id).parent.as_deref(),
            Some("SubProcess_appraise"),
            "{id}"
        );
    }
    for id in [
        "Start",
        "Task_receive",
        "SubProcess_appraise",
        "Timer_appraise",
        "Task_approve",
        "End",
    ] {
        assert_eq!(node(&doc, id).parent, None, "{id}");
    }
    assert_eq!(node(&doc, "SubProcess_appraise").line, 34);
    assert_eq!(node(&doc, "Task_basic").line, 46);
    assert_eq!(p.flows.len(), 14);
    assert_eq!(
        node(&doc, "Gateway_split").kind,
        NodeKind::InclusiveGateway {
            default: Some("Flow_s_basic".into())
        }
    );
    // CDATA and the `&gt;` of the XML are read as text.
    let site = p.flows.iter().find(|f| f.id == "Flow_s_site").unwrap();
    assert_eq!(site.condition.as_deref(), Some("dien_tich_m2 > 500"));
    assert_eq!(
        node(&doc, "End_late").kind,
        NodeKind::EndEvent { terminate: true }
    );
    assert_eq!(
        node(&doc, "End").kind,
        NodeKind::EndEvent { terminate: false }
    );
    assert_eq!(
        node(&doc, "Timer_appraise").kind,
        NodeKind::BoundaryTimer {
            attached_to: "SubProcess_appraise".into(),
            interrupting: true,
            duration: Some("P10D".into())
        }
    );

    // Nested lanes are flattened; a lane holds the nodes of the lanes inside it.
    let lanes: Vec<(&str, Option<&str>, usize)> = p
        .lanes
        .iter()
        .map(|l| (l.id.as_str(), l.role.as_deref(), l.nodes.len()))
        .collect();
    assert_eq!(
        lanes,
        [
            ("Lane_intake", Some("intake"), 2),
            ("Lane_department", None, 6),
            ("Lane_specialist", Some("specialist"), 2),
            ("Lane_leader", Some("leader"), 4),
        ]
    );
    // Steps inside the sub-process take the lane of the sub-process.
    for id in ["Task_basic", "Task_foreign", "Task_site"] {
        assert_eq!(
            user_task(&doc, id).role.as_deref(),
            Some("specialist"),
            "{id}"
        );
    }
    assert_eq!(
        user_task(&doc, "Task_approve").role.as_deref(),
        Some("leader")
    );
    let diagram = doc.diagram.as_ref().unwrap();
    assert_eq!((diagram.shapes.len(), diagram.edges.len()), (20, 14));
    assert_eq!(
        diagram
            .shapes
            .iter()
            .find(|s| s.element == "SubProcess_appraise")
            .unwrap()
            .is_expanded,
        Some(true)
    );
    assert_eq!(check(&doc), vec![], "{}", show(&check(&doc)));

    let summary = summarize(p);
    assert_eq!(summary.counts.inclusive_gateways, 2);
    assert_eq!(summary.counts.sub_processes, 1);
    assert_eq!(summary.sub_processes[0].nodes, 7);
    assert_eq!(summary.sub_processes[0].timers[0].id, "Timer_appraise");
    let text = summary.to_string();
    assert!(
        text.contains("trong quy trình con SubProcess_appraise"),
        "{text}"
    );
    assert!(
        text.contains(
            "hẹn giờ Timer_appraise “Quá hạn thẩm định” sau P10D (10 ngày làm việc), dừng bước"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Broken fixtures.

#[test]
fn malformed_xml() {
    let xml = fixture("malformed.bpmn");
    let err = parse_document(&xml).unwrap_err();
    assert_eq!(err.line, 8);
    assert_eq!(
        err.message,
        "XML không hợp lệ: thẻ đóng </bpmn:process> không khớp với thẻ mở <bpmn:userTask>"
    );
    let problems = executable(&xml).unwrap_err();
    assert_eq!(located(&problems), [(8, None)]);
    assert!(
        problems[0].message.ends_with(", dòng 8"),
        "{}",
        problems[0].message
    );
}

#[test]
fn unsupported_elements_are_named() {
    let xml = fixture("unsupported.bpmn");
    let doc = parsed("unsupported.bpmn");
    let found: Vec<(&str, Option<&str>, u32)> = doc
        .unsupported
        .iter()
        .map(|u| (u.element.as_str(), u.id.as_deref(), u.line))
        .collect();
    assert_eq!(
        found,
        [
            ("message", Some("Message_1"), 3),
            ("messageFlow", Some("MessageFlow_1"), 7),
            ("multiInstanceLoopCharacteristics", Some("Task_1"), 16),
            ("scriptTask", Some("Script_1"), 18),
            (
                "intermediateCatchEvent/timerEventDefinition",
                Some("Catch_1"),
                23
            ),
            (
                "boundaryEvent/errorEventDefinition",
                Some("Error_1"),
                id_line(&xml, "Error_1")
            ),
            (
                "dataObjectReference",
                Some("DataRef_1"),
                id_line(&xml, "DataRef_1")
            ),
            (
                "dataObject",
                Some("DataObject_1"),
                id_line(&xml, "DataObject_1")
            ),
            (
                "subProcess[triggeredByEvent]",
                Some("EventSub_1"),
                id_line(&xml, "EventSub_1")
            ),
        ]
    );
    // The children of an unsupported element are not reported again, but they are recorded.
    let start = doc.element("EventSub_start").unwrap();
    assert_eq!(
        start.event_definition.as_deref(),
        Some("messageEventDefinition")
    );
    assert_eq!(
        doc.element("TimerDefinition_1").unwrap().tag,
        "timerEventDefinition"
    );
    assert_eq!(doc.participants.len(), 2);
    assert_eq!(doc.participants[1].process_ref, None);

    let problems = check(&doc);
    // One problem each, nothing about the flows into and out of the script task.
    assert_eq!(problems.len(), 9, "{}", show(&problems));
    assert_eq!(
        problems[3].message,
        "Phần tử không được hỗ trợ: scriptTask (id Script_1), dòng 18"
    );
    assert_eq!(
        problems[4].message,
        "Phần tử không được hỗ trợ: intermediateCatchEvent/timerEventDefinition (id Catch_1), dòng 23"
    );
    assert_eq!(located(&problems)[2], (16, Some("Task_1")));
    assert!(executable(&xml).is_err());
}

#[test]
fn bad_attributes() {
    let xml = fixture("bad_attributes.bpmn");
    let problems = check(&parsed("bad_attributes.bpmn"));
    let l = |id: &str| id_line(&xml, id);
    assert_eq!(
        located(&problems),
        [
            (l("Task_a"), Some("Task_a")),
            (l("Task_a"), Some("Task_a")),
            (l("Timer_a"), Some("Timer_a")),
            (l("Task_b"), Some("Task_b")),
            (l("Task_b"), Some("Task_b")),
            (l("Task_c"), Some("Task_c")),
            (l("Task_c"), Some("Task_c")),
            (l("Task_d"), Some("Task_d")),
            (l("Service_1"), Some("Service_1")),
            (l("Service_1"), Some("Service_1")),
            (l("Service_2"), Some("Service_2")),
        ],
        "{}",
        show(&problems)
    );
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages[0],
        "Giá trị motcua:days=“abc” của userTask (id Task_a) không hợp lệ: phải là số ngày làm việc, ví dụ 1.5, dòng 7"
    );
    assert_eq!(
        messages[1],
        "Vai trò “boss” của bước Task_a “Tiếp nhận” (dòng 7) không hợp lệ: chỉ dùng intake, specialist, leader"
    );
    assert!(
        messages[2].starts_with("Thời hạn “P1M” của bộ hẹn giờ Timer_a (dòng 11) không hợp lệ")
    );
    assert!(messages[3].contains("không được có motcua:action"));
    assert!(messages[4].starts_with("Tỉ lệ motcua:share=“1.5” của bước Task_b"));
    assert_eq!(
        messages[5],
        "Thuộc tính motcua:rol không dùng được trên userTask (id Task_c), dòng 24"
    );
    assert!(messages[6].contains("chưa có vai trò"));
    assert!(messages[7].contains("có cả motcua:days và motcua:share"));
    assert_eq!(
        messages[8],
        "Thuộc tính motcua:role không dùng được trên serviceTask (id Service_1), dòng 32"
    );
    assert!(messages[9].contains("thiếu motcua:action"));
    assert!(messages[10].starts_with("Hành động “send_sms” của tác vụ tự động Service_2"));
}

#[test]
fn dangling_flow() {
    let problems = check(&parsed("dangling.bpmn"));
    assert_eq!(located(&problems), [(9, Some("Flow_x"))]);
    assert_eq!(
        problems[0].message,
        "Luồng Flow_x (dòng 9) đi tới Task_missing, không có phần tử nào mang id này"
    );
}

#[test]
fn unreachable_nodes() {
    let problems = check(&parsed("unreachable.bpmn"));
    assert_eq!(
        located(&problems),
        [(7, Some("Task_2")), (8, Some("Gateway_again"))],
        "{}",
        show(&problems)
    );
    assert_eq!(
        problems[0].message,
        "Bước Task_2 “Bổ sung hồ sơ” (dòng 7) không thể tới được từ sự kiện bắt đầu"
    );
}

#[test]
fn cycle_without_exit() {
    let problems = check(&parsed("cycle.bpmn"));
    assert_eq!(
        located(&problems),
        [(7, Some("Task_2"))],
        "{}",
        show(&problems)
    );
    assert_eq!(
        problems[0].message,
        "Vòng lặp không có lối ra: từ Task_2 “Yêu cầu bổ sung” (dòng 7), Task_3 “Nhận bổ sung” (dòng 8) không thể \
         tới sự kiện kết thúc nào của quy trình Process_cycle"
    );
}

#[test]
fn exclusive_split_into_parallel_join_deadlocks() {
    let problems = check(&parsed("deadlock.bpmn"));
    assert_eq!(
        located(&problems),
        [(9, Some("Gateway_join"))],
        "{}",
        show(&problems)
    );
    assert_eq!(
        problems[0].message,
        "Cổng song song Gateway_join “Gộp” (dòng 9) có thể chờ mãi (deadlock): có trường hợp luồng Flow_a_join \
         (từ Task_a) đã tới nhưng luồng Flow_b_join (từ Task_b) không bao giờ tới"
    );
}

#[test]
fn gateway_without_default() {
    let problems = check(&parsed("no_default.bpmn"));
    assert_eq!(
        located(&problems),
        [(6, Some("Gateway_fee"))],
        "{}",
        show(&problems)
    );
    assert_eq!(
        problems[0].message,
        "Cổng loại trừ Gateway_fee “Đã nộp phí?” (dòng 6) không có nhánh mặc định: nếu mọi điều kiện đều sai hồ sơ \
         sẽ dừng lại"
    );
}

#[test]
fn bad_conditions() {
    let xml = fixture("bad_condition.bpmn");
    let problems = check(&parsed("bad_condition.bpmn"));
    assert_eq!(
        located(&problems),
        [
            (id_line(&xml, "Gateway_g"), Some("Gateway_g")),
            (id_line(&xml, "Flow_2"), Some("Flow_2")),
            (id_line(&xml, "Flow_a"), Some("Flow_a")),
            (id_line(&xml, "Flow_b"), Some("Flow_b")),
        ],
        "{}",
        show(&problems)
    );
    assert!(
        problems[0].message.contains("Nhánh mặc định Flow_missing"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[1]
            .message
            .contains("có điều kiện nhưng đi ra từ bước Task_1"),
        "{}",
        problems[1].message
    );
    // The error text is the condition parser's own.
    assert!(
        problems[2]
            .message
            .starts_with("Điều kiện của luồng Flow_a (dòng 14) không hợp lệ: "),
        "{}",
        problems[2].message
    );
    assert!(
        problems[3]
            .message
            .contains("Luồng Flow_b (dòng 17) ra khỏi cổng loại trừ Gateway_g"),
        "{}",
        problems[3].message
    );
}

// ---------------------------------------------------------------------------------------------
// Small inline files.

const NS: &str = r#"xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="https://motcua.vn/schema/bpmn""#;

/// A process from `body`, one element a line, the process tag on line 2.
fn bpmn(body: &str) -> String {
    format!(
        "<bpmn:definitions {NS} id=\"Defs\">\n<bpmn:process id=\"P\">\n{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    )
}

/// A linear process Start → tasks → End, with roles.
fn chain(tasks: &[&str]) -> String {
    let mut body = String::from("<bpmn:startEvent id=\"Start\" />\n<bpmn:endEvent id=\"End\" />\n");
    let mut previous = "Start".to_owned();
    for (k, t) in tasks.iter().enumerate() {
        body.push_str(&format!(
            "<bpmn:userTask id=\"{t}\" motcua:role=\"specialist\" />\n"
        ));
        body.push_str(&format!(
            "<bpmn:sequenceFlow id=\"F{k}\" sourceRef=\"{previous}\" targetRef=\"{t}\" />\n"
        ));
        previous = (*t).to_owned();
    }
    body.push_str(&format!(
        "<bpmn:sequenceFlow id=\"F_end\" sourceRef=\"{previous}\" targetRef=\"End\" />"
    ));
    bpmn(&body)
}

fn problems_of(xml: &str) -> Vec<Problem> {
    check(&parse_document(xml).unwrap_or_else(|e| panic!("{e}\n{xml}")))
}

#[test]
fn not_bpmn_and_empty() {
    let err = parse_document("<?xml version=\"1.0\"?>\n<html><body/></html>").unwrap_err();
    assert_eq!(err.line, 2);
    assert_eq!(
        err.message,
        "Không phải tệp BPMN 2.0 (phần tử gốc phải là definitions)"
    );
    assert_eq!(parse_document("").unwrap_err().line, 1);
    assert!(parse_document("  \n ").is_err());
    let err = parse_document("<definitions>\n<process>\n").unwrap_err();
    assert!(err.message.starts_with("XML không hợp lệ"), "{err}");
    let err = parse_document("<definitions>\n\n<a b=\"1\" b=\"2\"/></definitions>").unwrap_err();
    assert_eq!(err.line, 3);
}

#[test]
fn prefixes_and_namespaces() {
    // Default namespace, motcua bound to another prefix.
    let default_ns = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:m="https://motcua.vn/schema/bpmn">
  <process id="P">
    <startEvent id="S" />
    <userTask id="T" m:role="leader" m:days="2" />
    <endEvent id="E" />
    <sequenceFlow id="F1" sourceRef="S" targetRef="T" />
    <sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </process>
</definitions>"#;
    let doc = parse_document(default_ns).unwrap();
    assert_eq!(user_task(&doc, "T").role.as_deref(), Some("leader"));
    assert_eq!(user_task(&doc, "T").budget, Some(Budget::Days(2.0)));
    assert_eq!(node(&doc, "T").line, 4);
    assert_eq!(check(&doc), vec![]);
    // `bpmn2:` and `semantic:` prefixes; `motcua:` used without being declared.
    for prefix in ["bpmn2", "semantic", "model"] {
        let xml = default_ns
            .replace(
                "<definitions xmlns=",
                &format!("<{prefix}:definitions xmlns:{prefix}="),
            )
            .replace("</definitions>", &format!("</{prefix}:definitions>"))
            .replace("xmlns:m=\"https://motcua.vn/schema/bpmn\"", "")
            .replace("m:", "motcua:")
            .replace("<process", &format!("<{prefix}:process"))
            .replace("</process", &format!("</{prefix}:process"))
            .replace("<startEvent", &format!("<{prefix}:startEvent"))
            .replace("<userTask", &format!("<{prefix}:userTask"))
            .replace("<endEvent", &format!("<{prefix}:endEvent"))
            .replace("<sequenceFlow", &format!("<{prefix}:sequenceFlow"));
        let doc = parse_document(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert_eq!(
            user_task(&doc, "T").role.as_deref(),
            Some("leader"),
            "{xml}"
        );
        assert_eq!(check(&doc), vec![], "{xml}");
    }
    // A motcua attribute in some other namespace is not motcua's.
    let other = default_ns.replace(
        "xmlns:m=\"https://motcua.vn/schema/bpmn\"",
        "xmlns:m=\"urn:other\"",
    );
    let doc = parse_document(&other).unwrap();
    assert_eq!(user_task(&doc, "T").role, None);
}

#[test]
fn extensions_and_descriptions_are_ignored() {
    let xml = bpmn(
        r#"<bpmn:documentation>Mô tả</bpmn:documentation>
<bpmn:extensionElements><camunda:properties xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><camunda:property name="a" value="b" /></camunda:properties><bpmn:scriptTask id="Hidden" /></bpmn:extensionElements>
<bpmn:startEvent id="Start"><bpmn:extensionElements><x:y xmlns:x="urn:x" /></bpmn:extensionElements></bpmn:startEvent>
<bpmn:textAnnotation id="Note"><bpmn:text>Ghi chú</bpmn:text></bpmn:textAnnotation>
<bpmn:association id="Assoc" sourceRef="Start" targetRef="Note" />
<bpmn:group id="Group_1" categoryValueRef="CV" />
<bpmn:endEvent id="End" />
<bpmn:sequenceFlow id="F" sourceRef="Start" targetRef="End"><bpmn:documentation>Đi thẳng</bpmn:documentation></bpmn:sequenceFlow>
<v:vendorThing xmlns:v="urn:vendor" id="Vendor_1" />"#,
    );
    let doc = parse_document(&xml).unwrap();
    assert_eq!(doc.unsupported, vec![]);
    assert_eq!(doc.processes[0].nodes.len(), 2);
    assert!(
        doc.element("Hidden").is_none(),
        "vendor data inside extensionElements is not the model's"
    );
    assert!(
        doc.element("Vendor_1").is_none(),
        "nor are elements of other vocabularies"
    );
    assert!(doc.element("Note").is_some());
    assert_eq!(check(&doc), vec![]);
}

#[test]
fn event_definitions_and_timers() {
    let xml = bpmn(
        r#"<bpmn:startEvent id="Start" />
<bpmn:userTask id="T" motcua:role="specialist" />
<bpmn:boundaryEvent id="B1" attachedToRef="T"><bpmn:timerEventDefinition><bpmn:timeDuration>  'PT4H'  </bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="B2" attachedToRef="T" cancelActivity="false"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="B3" attachedToRef="T"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="B4" attachedToRef="T"><bpmn:timerEventDefinition><bpmn:timeDate>2030-01-01</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:intermediateThrowEvent id="I1" />
<bpmn:endEvent id="End"><bpmn:terminateEventDefinition /></bpmn:endEvent>
<bpmn:endEvent id="E2"><bpmn:messageEventDefinition /><bpmn:signalEventDefinition /></bpmn:endEvent>
<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="T" />
<bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="End" />
<bpmn:sequenceFlow id="F3" sourceRef="B1" targetRef="End" />
<bpmn:sequenceFlow id="F4" sourceRef="B2" targetRef="End" />"#,
    );
    let doc = parse_document(&xml).unwrap();
    assert_eq!(
        node(&doc, "B1").kind,
        NodeKind::BoundaryTimer {
            attached_to: "T".into(),
            interrupting: true,
            duration: Some("PT4H".into())
        }
    );
    assert_eq!(
        node(&doc, "B2").kind,
        NodeKind::BoundaryTimer {
            attached_to: "T".into(),
            interrupting: false,
            duration: None
        }
    );
    assert_eq!(
        node(&doc, "End").kind,
        NodeKind::EndEvent { terminate: true }
    );
    let unsupported: Vec<(&str, Option<&str>, u32)> = doc
        .unsupported
        .iter()
        .map(|u| (u.element.as_str(), u.id.as_deref(), u.line))
        .collect();
    assert_eq!(
        unsupported,
        [
            (
                "boundaryEvent/timerEventDefinition/timeCycle",
                Some("B3"),
                7
            ),
            ("boundaryEvent/timerEventDefinition/timeDate", Some("B4"), 8),
            ("intermediateThrowEvent", Some("I1"), 9),
            (
                "endEvent/messageEventDefinition+signalEventDefinition",
                Some("E2"),
                11
            ),
        ]
    );
    assert_eq!(
        doc.element("End").unwrap().event_definition.as_deref(),
        Some("terminateEventDefinition")
    );
    assert_eq!(
        doc.element("B3").unwrap().event_definition.as_deref(),
        Some("timerEventDefinition")
    );
    assert_eq!(doc.element("T").unwrap().event_definition, None);
    let problems = check(&doc);
    assert_eq!(problems.len(), 4, "{}", show(&problems));
}

#[test]
fn durations() {
    assert_eq!(duration_in_working_days("P2D"), Some(2.0));
    assert_eq!(duration_in_working_days("PT4H"), Some(0.5));
    assert_eq!(duration_in_working_days("PT30M"), Some(1.0 / 16.0));
    assert_eq!(duration_in_working_days("P1DT4H"), Some(1.5));
    assert_eq!(duration_in_working_days("P1W"), Some(5.0));
    for bad in ["P1M", "P1Y", "-P1D", "P", "2 ngày", ""] {
        assert_eq!(duration_in_working_days(bad), None, "{bad}");
    }
}

#[test]
fn diagrams() {
    let with_di = |plane: &str| {
        format!(
            "<bpmn:definitions {NS} xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" \
             xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\">\
             <bpmndi:BPMNDiagram id=\"Dg\"><bpmndi:BPMNPlane id=\"Pl\">{plane}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\
             </bpmn:definitions>"
        )
    };
    assert_eq!(parse_document(&with_di("")).unwrap().diagram, None);
    assert_eq!(
        parse_document(&format!("<bpmn:definitions {NS}/>"))
            .unwrap()
            .diagram,
        None
    );
    let doc = parse_document(&with_di(
        r#"<bpmndi:BPMNShape bpmnElement="A"><dc:Bounds x="1" y="2" width="3" height="4"/></bpmndi:BPMNShape>
<bpmndi:BPMNShape bpmnElement="Bad"><dc:Bounds x="abc" y="2" width="3" height="4"/></bpmndi:BPMNShape>
<bpmndi:BPMNShape bpmnElement="NaN"><dc:Bounds x="NaN" y="2" width="3" height="4"/></bpmndi:BPMNShape>
<bpmndi:BPMNShape bpmnElement="NoBounds" />
<bpmndi:BPMNShape><dc:Bounds x="1" y="2" width="3" height="4"/></bpmndi:BPMNShape>
<bpmndi:BPMNShape bpmnElement="L"><dc:Bounds x="1.5" y="-2" width="3e2" height="4"/><bpmndi:BPMNLabel><dc:Bounds x="z" y="0" width="1" height="1"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
<bpmndi:BPMNEdge bpmnElement="F"><di:waypoint x="0" y="0"/><di:waypoint x="10" y="5"/></bpmndi:BPMNEdge>
<bpmndi:BPMNEdge bpmnElement="G"><di:waypoint x="0" y="0"/><di:waypoint x="ten" y="5"/></bpmndi:BPMNEdge>"#,
    ))
    .unwrap();
    let diagram = doc.diagram.unwrap();
    let shapes: Vec<&str> = diagram.shapes.iter().map(|s| s.element.as_str()).collect();
    assert_eq!(shapes, ["A", "L"]);
    assert_eq!(diagram.shapes[1].bounds.width, 300.0);
    assert_eq!(diagram.shapes[1].label, None);
    assert_eq!(diagram.edges.len(), 1);
    assert_eq!(diagram.edges[0].waypoints, vec![(0.0, 0.0), (10.0, 5.0)]);
}

#[test]
fn process_count() {
    let none =
        format!("<bpmn:definitions {NS}>\n<bpmn:process id=\"Empty\" />\n</bpmn:definitions>");
    let problems = problems_of(&none);
    assert_eq!(located(&problems), [(2, None)]);
    assert!(
        problems[0]
            .message
            .starts_with("Tệp không có quy trình nào chạy được")
    );
    let two = format!(
        "<bpmn:definitions {NS}>\n<bpmn:process id=\"P1\"><bpmn:startEvent id=\"S1\"/></bpmn:process>\n\
         <bpmn:process id=\"P2\"><bpmn:startEvent id=\"S2\"/></bpmn:process>\n</bpmn:definitions>"
    );
    let problems = problems_of(&two);
    let first = problems
        .iter()
        .find(|p| p.message.starts_with("Tệp có nhiều quy trình"))
        .unwrap();
    assert_eq!((first.line, first.element.as_deref()), (3, Some("P2")));
    assert!(
        first.message.contains("P1 (dòng 2), P2 (dòng 3)"),
        "{}",
        first.message
    );
}

#[test]
fn structure_problems() {
    let xml = bpmn(
        r#"<bpmn:startEvent id="S1" />
<bpmn:startEvent id="S2" />
<bpmn:userTask id="T" motcua:role="intake" />
<bpmn:subProcess id="Sub"><bpmn:userTask id="Inner" motcua:role="specialist" /><bpmn:endEvent id="Inner_end" /></bpmn:subProcess>
<bpmn:endEvent id="End" />
<bpmn:sequenceFlow id="F1" sourceRef="S1" targetRef="T" />
<bpmn:sequenceFlow id="F2" sourceRef="S2" targetRef="T" />
<bpmn:sequenceFlow id="F3" sourceRef="T" targetRef="Inner" />
<bpmn:sequenceFlow id="F4" sourceRef="Inner" targetRef="End" />
<bpmn:sequenceFlow id="F5" sourceRef="Sub" />
<bpmn:sequenceFlow id="F6" sourceRef="T" targetRef="Nowhere" />"#,
    );
    let problems = problems_of(&xml);
    let found: Vec<(u32, Option<&str>, &str)> = problems
        .iter()
        .map(|p| (p.line, p.element.as_deref(), p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                4,
                Some("S2"),
                "Quy trình P (dòng 2) có 2 sự kiện bắt đầu (S1 dòng 3, S2 dòng 4): cần đúng một"
            ),
            (
                6,
                Some("Sub"),
                "Quy trình con Sub (dòng 6) không có luồng vào"
            ),
            (
                6,
                Some("Inner_end"),
                "Sự kiện kết thúc Inner_end (dòng 6) không có luồng vào"
            ),
            (
                6,
                Some("Sub"),
                "Quy trình con Sub (dòng 6) không có sự kiện bắt đầu (startEvent không kèm định nghĩa sự kiện)"
            ),
            (
                10,
                Some("F3"),
                "Luồng F3 (dòng 10) nối T trong quy trình P với Inner trong quy trình con Sub: luồng không được vượt qua ranh giới quy trình con"
            ),
            (
                11,
                Some("F4"),
                "Luồng F4 (dòng 11) nối Inner trong quy trình con Sub với End trong quy trình P: luồng không được vượt qua ranh giới quy trình con"
            ),
            (12, Some("F5"), "Luồng F5 (dòng 12) thiếu targetRef"),
            (
                13,
                Some("F6"),
                "Luồng F6 (dòng 13) đi tới Nowhere, không có phần tử nào mang id này"
            ),
        ],
        "{}",
        show(&problems)
    );
}

#[test]
fn duplicate_ids_and_missing_ids() {
    let xml = bpmn(
        "<bpmn:startEvent id=\"S\" />\n<bpmn:userTask id=\"S\" motcua:role=\"intake\" />\n<bpmn:userTask name=\"Không id\" />\n<bpmn:endEvent id=\"E\" />\n<bpmn:sequenceFlow id=\"F\" sourceRef=\"S\" targetRef=\"E\" />",
    );
    let problems = problems_of(&xml);
    assert!(
        problems
            .iter()
            .any(|p| p.line == 4
                && p.message == "Mã S được dùng cho nhiều phần tử (dòng 3 và dòng 4)"),
        "{}",
        show(&problems)
    );
    assert!(
        problems
            .iter()
            .any(|p| p.line == 5 && p.message == "Phần tử userTask không có id, dòng 5"),
        "{}",
        show(&problems)
    );
}

#[test]
fn sound_models_pass() {
    // Terminate end with another branch still running; a loop with an exit; an inclusive
    // split and join whose branches have timers.
    let xml = bpmn(
        r#"<bpmn:startEvent id="Start" />
<bpmn:parallelGateway id="Split" />
<bpmn:userTask id="A" motcua:role="specialist" />
<bpmn:userTask id="B" motcua:role="specialist" />
<bpmn:endEvent id="Stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>
<bpmn:exclusiveGateway id="Again" default="Out" />
<bpmn:inclusiveGateway id="Or" default="O1" />
<bpmn:userTask id="C" motcua:role="leader" />
<bpmn:userTask id="D" motcua:role="leader" />
<bpmn:boundaryEvent id="TD" attachedToRef="D" cancelActivity="false"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
<bpmn:serviceTask id="Remind" motcua:action="notify_assignee" />
<bpmn:inclusiveGateway id="OrJoin" />
<bpmn:endEvent id="End" />
<bpmn:endEvent id="End2" />
<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Split" />
<bpmn:sequenceFlow id="F2" sourceRef="Split" targetRef="A" />
<bpmn:sequenceFlow id="F3" sourceRef="Split" targetRef="B" />
<bpmn:sequenceFlow id="F4" sourceRef="A" targetRef="Stop" />
<bpmn:sequenceFlow id="F5" sourceRef="B" targetRef="Again" />
<bpmn:sequenceFlow id="Back" sourceRef="Again" targetRef="B"><bpmn:conditionExpression>lai == true</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="Out" sourceRef="Again" targetRef="Or" />
<bpmn:sequenceFlow id="O1" sourceRef="Or" targetRef="C" />
<bpmn:sequenceFlow id="O2" sourceRef="Or" targetRef="D"><bpmn:conditionExpression>x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="F6" sourceRef="C" targetRef="OrJoin" />
<bpmn:sequenceFlow id="F7" sourceRef="D" targetRef="OrJoin" />
<bpmn:sequenceFlow id="F8" sourceRef="TD" targetRef="Remind" />
<bpmn:sequenceFlow id="F9" sourceRef="Remind" targetRef="End2" />
<bpmn:sequenceFlow id="F10" sourceRef="OrJoin" targetRef="End" />"#,
    );
    assert_eq!(problems_of(&xml), vec![], "{}", show(&problems_of(&xml)));
    assert!(executable(&xml).is_ok());
}

#[test]
fn tokens_piling_up() {
    // Each round of the loop starts another B without waiting for the one before.
    let xml = bpmn(
        r#"<bpmn:startEvent id="Start" />
<bpmn:userTask id="A" motcua:role="specialist" />
<bpmn:parallelGateway id="Split" />
<bpmn:userTask id="B" motcua:role="specialist" />
<bpmn:userTask id="C" motcua:role="specialist" />
<bpmn:exclusiveGateway id="X" default="Loop" />
<bpmn:endEvent id="End" />
<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="A" />
<bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="Split" />
<bpmn:sequenceFlow id="F3" sourceRef="Split" targetRef="B" />
<bpmn:sequenceFlow id="F4" sourceRef="Split" targetRef="C" />
<bpmn:sequenceFlow id="F5" sourceRef="B" targetRef="End" />
<bpmn:sequenceFlow id="F6" sourceRef="C" targetRef="X" />
<bpmn:sequenceFlow id="Loop" sourceRef="X" targetRef="A" />
<bpmn:sequenceFlow id="Exit" sourceRef="X" targetRef="End"><bpmn:conditionExpression>xong == true</bpmn:conditionExpression></bpmn:sequenceFlow>"#,
    );
    let problems = problems_of(&xml);
    assert_eq!(located(&problems), [(6, Some("B"))], "{}", show(&problems));
    assert_eq!(
        problems[0].message,
        "Bước B (dòng 6) có thể được kích hoạt nhiều lần cùng lúc không giới hạn: các nhánh song song không được đồng bộ"
    );
}

#[test]
fn sub_process_entered_twice() {
    let xml = bpmn(
        r#"<bpmn:startEvent id="Start" />
<bpmn:parallelGateway id="Split" />
<bpmn:subProcess id="Sub"><bpmn:startEvent id="SS" /><bpmn:userTask id="In" motcua:role="specialist" /><bpmn:endEvent id="SE" /><bpmn:sequenceFlow id="S1" sourceRef="SS" targetRef="In" /><bpmn:sequenceFlow id="S2" sourceRef="In" targetRef="SE" /></bpmn:subProcess>
<bpmn:endEvent id="End" />
<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Split" />
<bpmn:sequenceFlow id="F2" sourceRef="Split" targetRef="Sub" />
<bpmn:sequenceFlow id="F3" sourceRef="Split" targetRef="Sub" />
<bpmn:sequenceFlow id="F4" sourceRef="Sub" targetRef="End" />"#,
    );
    let problems = problems_of(&xml);
    assert_eq!(
        located(&problems),
        [(5, Some("Sub"))],
        "{}",
        show(&problems)
    );
    assert!(
        problems[0]
            .message
            .starts_with("Quy trình con Sub (dòng 5) có thể được kích hoạt lần nữa khi đang chạy")
    );
}

#[test]
fn state_space_is_capped() {
    // Seven parallel branches of four steps: 5^7 markings, more than the cap.
    let mut body = String::from(
        "<bpmn:startEvent id=\"Start\" />\n<bpmn:parallelGateway id=\"Split\" />\n<bpmn:parallelGateway id=\"Join\" />\n\
         <bpmn:endEvent id=\"End\" />\n<bpmn:sequenceFlow id=\"F0\" sourceRef=\"Start\" targetRef=\"Split\" />\n\
         <bpmn:sequenceFlow id=\"F_end\" sourceRef=\"Join\" targetRef=\"End\" />\n",
    );
    for b in 0..7 {
        let mut previous = "Split".to_owned();
        for s in 0..4 {
            let id = format!("T{b}_{s}");
            body.push_str(&format!(
                "<bpmn:userTask id=\"{id}\" motcua:role=\"specialist\" />\n"
            ));
            body.push_str(&format!("<bpmn:sequenceFlow id=\"F{b}_{s}\" sourceRef=\"{previous}\" targetRef=\"{id}\" />\n"));
            previous = id;
        }
        body.push_str(&format!(
            "<bpmn:sequenceFlow id=\"F{b}_join\" sourceRef=\"{previous}\" targetRef=\"Join\" />\n"
        ));
    }
    let problems = problems_of(&bpmn(&body));
    assert_eq!(located(&problems), [(2, Some("P"))], "{}", show(&problems));
    assert!(
        problems[0].message.contains("hơn 20 000 trạng thái"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_chain_runs() {
    let process = executable(&chain(&["A", "B", "C"])).unwrap();
    assert_eq!(process.nodes.len(), 5);
    assert_eq!(process.flows.len(), 4);
}

// ---------------------------------------------------------------------------------------------
// No input makes the parser or the validator panic.

fn all_fixtures() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bpmn");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn cut(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[test]
fn every_prefix_of_a_fixture_is_handled() {
    let xml = fixture("subprocess_inclusive.bpmn");
    for at in (0..xml.len()).step_by(29) {
        if let Ok(doc) = parse_document(cut(&xml, at)) {
            let _ = check(&doc);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(which in 0usize..13, at in 0usize..20_000, len in 0usize..200, insert in "[<>/=\"a-z:_ &;#0-9\n-]{0,12}") {
        let fixtures = all_fixtures();
        let xml = &fixtures[which % fixtures.len()];
        let start = cut(xml, at).len();
        let end = cut(xml, start + len).len();
        let mutated = format!("{}{}{}", &xml[..start], insert, &xml[end..]);
        if let Ok(doc) = parse_document(&mutated) {
            let _ = check(&doc);
            if let Some(p) = doc.processes.first() {
                let _ = summarize(p).to_string();
            }
        }
        let _ = executable(&mutated);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = parse_document(&text);
        let _ = executable(&format!("<definitions>{text}</definitions>"));
    }
}
