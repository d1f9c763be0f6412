//! `motcua process check|svg FILE` as an analyst or IT officer runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn check_prints_the_steps_roles_and_budgets_of_a_valid_file() {
    let (ok, out, err) = run(&["process", "check", &repo("data/processes/TP-01.bpmn")]);
    assert!(ok, "{err}");
    assert!(out.contains("dùng được"), "{out}");
    assert!(out.contains("Activity_police_lookup") && out.contains("provincial_police"));
    assert!(out.contains("hành động appraise") && out.contains("thời hạn 5 ngày làm việc"));
    let (ok, json, _) = run(&[
        "process",
        "check",
        "--json",
        &repo("data/processes/XD-01.bpmn"),
    ]);
    assert!(ok);
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(summary.is_object(), "{json}");
}

#[test]
fn check_lists_every_problem_with_its_line_and_fails() {
    let file = repo("crates/motcua-workflow/tests/bpmn/unsupported.bpmn");
    let (ok, _, err) = run(&["process", "check", &file]);
    assert!(!ok);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with(&file)).collect();
    assert!(!problems.is_empty(), "{err}");
    for line in &problems {
        let rest = &line[file.len() + 1..];
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        assert!(number.parse::<u32>().unwrap() > 0, "a line number: {line}");
    }
    assert!(err.contains("scriptTask"), "{err}");
    let (ok, _, err) = run(&[
        "process",
        "check",
        &repo("crates/motcua-workflow/tests/bpmn/malformed.bpmn"),
    ]);
    assert!(!ok);
    assert!(err.contains(":"), "{err}");
}

#[test]
fn svg_draws_a_file_with_di_and_explains_a_file_without() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("xd.svg");
    let (ok, _, err) = run(&[
        "process",
        "svg",
        &repo("data/processes/XD-01.bpmn"),
        "-o",
        out.to_str().unwrap(),
        "--highlight",
        "Activity_appraise",
    ]);
    assert!(ok, "{err}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Thẩm định"), "Vietnamese names are kept");

    let no_di = dir.path().join("no-di.bpmn");
    let xml = std::fs::read_to_string(repo("data/processes/HT-01.bpmn")).unwrap();
    let cut = xml.find("<bpmndi:BPMNDiagram").unwrap();
    std::fs::write(&no_di, format!("{}</bpmn:definitions>\n", &xml[..cut])).unwrap();
    let (ok, out, err) = run(&["process", "svg", no_di.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("không có phần sơ đồ (BPMN DI)"), "{err}");
    let (ok, _, _) = run(&["process", "check", no_di.to_str().unwrap()]);
    assert!(ok, "a file without DI still runs");
}
