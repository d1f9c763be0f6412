//! Draws real BPMN files: the 21 reference models of the OMG BPMN MIWG test suite (in the shared
//! folder, `MOTCUA_MIWG_DIR` to point elsewhere) and the models of `tests/bpmn/`. With
//! `MOTCUA_SVG_OUT=/tmp/svg-out`, the drawings are written there to be looked at.

use std::path::{Path, PathBuf};

use motcua_workflow::parse_document;
use motcua_workflow::svg::{RenderOptions, SvgError, render, render_with};

fn miwg_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MOTCUA_MIWG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bpmn/miwg"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("../shared/bpmn/miwg absent, skipped");
        None
    }
}

fn bpmn_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "bpmn"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The file's text; MIWG files may be ISO-8859-1, which is ASCII in all their markup.
fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses the SVG back to its end; returns the `data-element-id` of every element group, and
/// the classes of each.
fn check_well_formed(svg: &str, what: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut groups = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.local_name().as_ref(), b"svg", "{what}: root is not <svg>");
                }
                depth += 1;
                if e.local_name().as_ref() == b"g" {
                    let attr = |name: &[u8]| {
                        e.attributes()
                            .filter_map(Result::ok)
                            .find(|a| a.key.as_ref() == name)
                            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                    };
                    if let Some(id) = attr(b"data-element-id") {
                        groups.push((id, attr(b"class").unwrap_or_default()));
                    }
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            Err(e) => panic!(
                "{what}: not well-formed at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0, "{what}: unclosed elements");
    assert_eq!(roots, 1, "{what}: one root element");
    groups
}

/// Draws one file and checks the drawing; a file that does not parse fails the test when
/// `must_parse`, else is skipped (some project models are malformed on purpose).
fn check_file(path: &Path, must_parse: bool) {
    let what = path.display().to_string();
    let xml = read(path);
    let doc = match parse_document(&xml) {
        Ok(doc) => doc,
        Err(e) if must_parse => panic!("{what}: {e}"),
        Err(e) => {
            println!("{what}: not drawn, {e}");
            return;
        }
    };
    let Some(diagram) = doc.diagram.as_ref() else {
        assert_eq!(render(&doc, &[]), Err(SvgError::NoDiagram), "{what}");
        return;
    };
    // Highlight the first and mark the second drawn element as done, plus a flow.
    let mut ids = diagram.shapes.iter().map(|s| s.element.as_str());
    let current: Vec<&str> = ids.next().into_iter().collect();
    let done: Vec<&str> = ids.next().into_iter().collect();
    let options = RenderOptions {
        highlight: &current,
        done: &done,
        ..RenderOptions::default()
    };
    let svg = render_with(&doc, &options).unwrap_or_else(|e| panic!("{what}: {e}"));
    let groups = check_well_formed(&svg, &what);
    assert_eq!(
        groups.len(),
        diagram.shapes.len() + diagram.edges.len(),
        "{what}: one group each"
    );
    for (id, class) in &groups {
        assert!(
            class.starts_with("bpmn-el bpmn-"),
            "{what}: class {class:?}"
        );
        if current.contains(&id.as_str()) {
            assert!(
                class.split(' ').any(|c| c == "current"),
                "{what}: {id} not current"
            );
        } else if done.contains(&id.as_str()) {
            assert!(
                class.split(' ').any(|c| c == "done"),
                "{what}: {id} not done"
            );
        } else {
            assert!(
                !class.contains("current") && !class.contains("done"),
                "{what}: {id}"
            );
        }
    }
    assert!(
        svg.contains(r#"role="img""#) && svg.contains("<title id="),
        "{what}"
    );
    assert!(svg.contains(r#"font-family="sans-serif""#), "{what}");
    assert!(!svg.contains("NaN") && !svg.contains("inf\""), "{what}");
    for banned in [
        "<script",
        "<style",
        "href=",
        "<image",
        "<foreignObject",
        "@import",
    ] {
        assert!(!svg.contains(banned), "{what}: {banned}");
    }
    assert_eq!(
        render_with(&doc, &options).ok().as_deref(),
        Some(svg.as_str()),
        "{what}"
    );
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        dump(stem, &svg);
    }
}

/// With `MOTCUA_SVG_OUT=dir`, every drawing is also written there, to be looked at.
fn dump(name: &str, svg: &str) {
    if let Some(dir) = std::env::var_os("MOTCUA_SVG_OUT") {
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.svg")), svg);
    }
}

#[test]
fn miwg_reference_models_render() {
    let Some(dir) = miwg_dir() else { return };
    let files = bpmn_files(&dir);
    assert!(
        files.len() >= 21,
        "expected the 21 MIWG models in {}",
        dir.display()
    );
    for path in &files {
        check_file(path, true);
    }
}

#[test]
fn project_models_render() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bpmn");
    for path in bpmn_files(&dir) {
        check_file(&path, false);
    }
}

/// A small collaboration written by hand: Vietnamese names with markup characters, a pool with
/// lanes, a message flow and elements the engine does not run.
const HAND_MADE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:collaboration id="C">
    <bpmn:participant id="Pool" name="UBND xã &lt;A&gt; &amp; &quot;B&quot;" processRef="P"/>
    <bpmn:participant id="Citizen" name="Công dân"/>
    <bpmn:messageFlow id="M" name="Nộp hồ sơ" sourceRef="Citizen" targetRef="Start"/>
  </bpmn:collaboration>
  <bpmn:process id="P" name="Cấp giấy phép &apos;xây dựng&apos;">
    <bpmn:laneSet id="LS">
      <bpmn:lane id="L1" name="Bộ phận một cửa"><bpmn:flowNodeRef>Start</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L2" name="Chuyên viên"><bpmn:flowNodeRef>T</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start" name="Nhận hồ sơ"><bpmn:messageEventDefinition/></bpmn:startEvent>
    <bpmn:userTask id="T" name="Thẩm định &lt;hồ sơ&gt;"/>
    <bpmn:scriptTask id="S" name="Tính phí"/>
    <bpmn:endEvent id="E" name="Xong"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="T"/>
    <bpmn:sequenceFlow id="F2" name="Đạt &amp; đủ" sourceRef="T" targetRef="S"/>
    <bpmn:sequenceFlow id="F3" sourceRef="S" targetRef="E"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D">
    <bpmndi:BPMNPlane id="PL" bpmnElement="C">
      <bpmndi:BPMNShape id="Pool_di" bpmnElement="Pool" isHorizontal="true">
        <dc:Bounds x="0" y="100" width="700" height="250"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="L1_di" bpmnElement="L1" isHorizontal="true">
        <dc:Bounds x="30" y="100" width="670" height="125"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="L2_di" bpmnElement="L2" isHorizontal="true">
        <dc:Bounds x="30" y="225" width="670" height="125"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Citizen_di" bpmnElement="Citizen" isHorizontal="true">
        <dc:Bounds x="0" y="0" width="700" height="60"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Start_di" bpmnElement="Start">
        <dc:Bounds x="100" y="145" width="36" height="36"/>
        <bpmndi:BPMNLabel><dc:Bounds x="90" y="188" width="56" height="14"/></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="T_di" bpmnElement="T">
        <dc:Bounds x="200" y="250" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="S_di" bpmnElement="S">
        <dc:Bounds x="380" y="250" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="E_di" bpmnElement="E">
        <dc:Bounds x="560" y="272" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Ghost_di" bpmnElement="Ghost">
        <dc:Bounds x="560" y="130" width="100" height="60"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="M_di" bpmnElement="M">
        <di:waypoint x="118" y="60"/><di:waypoint x="118" y="145"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="F1_di" bpmnElement="F1">
        <di:waypoint x="136" y="163"/><di:waypoint x="250" y="163"/><di:waypoint x="250" y="250"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="F2_di" bpmnElement="F2">
        <di:waypoint x="300" y="290"/><di:waypoint x="380" y="290"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="F3_di" bpmnElement="F3">
        <di:waypoint x="480" y="290"/><di:waypoint x="560" y="290"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

#[test]
fn hand_made_collaboration() {
    let doc = parse_document(HAND_MADE).unwrap_or_else(|e| panic!("{e}"));
    let options = RenderOptions {
        highlight: &["T"],
        done: &["Start", "F1"],
        ..Default::default()
    };
    let svg = render_with(&doc, &options).unwrap_or_else(|e| panic!("{e}"));
    let groups = check_well_formed(&svg, "hand-made");
    assert_eq!(groups.len(), 9 + 4);
    let class_of = |id: &str| {
        groups
            .iter()
            .find(|(g, _)| g == id)
            .map(|(_, c)| c.as_str())
            .unwrap_or_default()
    };
    assert_eq!(class_of("T"), "bpmn-el bpmn-userTask current");
    assert_eq!(class_of("Start"), "bpmn-el bpmn-startEvent done");
    assert_eq!(class_of("F1"), "bpmn-el bpmn-sequenceFlow done");
    assert_eq!(class_of("S"), "bpmn-el bpmn-scriptTask");
    assert_eq!(class_of("M"), "bpmn-el bpmn-messageFlow");
    assert_eq!(class_of("Ghost"), "bpmn-el bpmn-unknown");
    // Escaped, and still UTF-8.
    assert!(svg.contains("UBND xã &lt;A&gt; &amp; &quot;B&quot;"));
    assert!(svg.contains("Cấp giấy phép &apos;xây dựng&apos;"));
    assert!(svg.contains("Đạt &amp; đủ"));
    assert!(svg.contains("Đang xử lý: Thẩm định &lt;hồ sơ&gt;."));
    // A message flow: dashed, with a circle at its start.
    assert!(svg.contains(r#"stroke-dasharray="10 6" marker-start="url(#bpmn-circle)""#));
    // The view box holds everything, with some margin.
    assert!(
        svg.contains(r#"viewBox="-20 -20 740 390""#),
        "{}",
        &svg[..400.min(svg.len())]
    );
    dump("hand-made", &svg);
}

#[test]
fn no_diagram_is_an_error() {
    let xml = HAND_MADE
        .split("<bpmndi:BPMNDiagram")
        .next()
        .map(|head| format!("{head}</bpmn:definitions>"))
        .unwrap_or_default();
    let doc = parse_document(&xml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(render(&doc, &[]), Err(SvgError::NoDiagram));
}
