//! Every demo procedure's process (data/processes) checks clean and runs from start to end with
//! exactly one appraisal and one approval on the way; the conditional branches follow the data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use motcua_workflow::engine::{Effect, Engine, Env};

struct DataEnv(serde_json::Value);

impl Env for DataEnv {
    fn now(&self) -> i64 {
        0
    }
    fn due_after(&self, from: i64, working_days: f64) -> i64 {
        from + (working_days * 1000.0) as i64
    }
    fn legal_days(&self) -> f64 {
        10.0
    }
    fn data(&self) -> &serde_json::Value {
        &self.0
    }
}

fn engine_of(code: &str) -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/processes")
        .join(format!("{code}.bpmn"));
    let xml = std::fs::read_to_string(&path).unwrap();
    let process = motcua_workflow::executable(&xml)
        .unwrap_or_else(|problems| panic!("{code}: {problems:#?}"));
    Engine::new(process).unwrap()
}

/// Completes the first waiting step until the end; returns the steps in order.
fn walk(engine: &Engine, data: serde_json::Value) -> Vec<String> {
    let env = DataEnv(data);
    let (mut instance, _) = engine.start(&env).unwrap();
    let mut done = Vec::new();
    loop {
        let next = engine
            .current_tasks(&instance)
            .next()
            .map(|t| t.node.clone());
        let Some(node) = next else { break };
        engine.complete(&mut instance, &node, &env).unwrap();
        done.push(node);
        assert!(done.len() < 100, "no end");
    }
    assert!(instance.ended);
    done
}

fn action_count(engine: &Engine, steps: &[String], action: &str) -> usize {
    steps
        .iter()
        .filter(|s| {
            engine
                .user_task(s)
                .is_some_and(|t| t.action.as_deref() == Some(action))
        })
        .count()
}

#[test]
fn every_demo_process_runs_to_its_end() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/processes");
    let mut codes: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".bpmn").map(str::to_string)
        })
        .collect();
    codes.sort();
    assert_eq!(codes.len(), 18, "one per demo procedure");
    for code in codes {
        let engine = engine_of(&code);
        let steps = walk(&engine, serde_json::json!({}));
        assert_eq!(action_count(&engine, &steps, "appraise"), 1, "{code}");
        assert_eq!(action_count(&engine, &steps, "approve"), 1, "{code}");
        let approve = steps.iter().position(|s| {
            engine
                .user_task(s)
                .is_some_and(|t| t.action.as_deref() == Some("approve"))
        });
        assert_eq!(
            approve,
            Some(steps.len() - 1),
            "{code}: approval comes last"
        );
    }
}

#[test]
fn the_building_permit_inspects_the_site_only_for_large_buildings() {
    let engine = engine_of("XD-01");
    let inspected = |data| {
        walk(&engine, data)
            .iter()
            .any(|s| engine.node(s).unwrap().name.contains("thực địa"))
    };
    assert!(inspected(
        serde_json::json!({"floor_area_m2": "300", "floors": "2"})
    ));
    assert!(inspected(
        serde_json::json!({"floor_area_m2": "120", "floors": "3"})
    ));
    assert!(!inspected(
        serde_json::json!({"floor_area_m2": "120", "floors": "2"})
    ));
}

#[test]
fn the_criminal_record_consults_the_police_with_its_own_deadline() {
    let engine = engine_of("TP-01");
    let env = DataEnv(serde_json::json!({}));
    let (mut instance, _) = engine.start(&env).unwrap();
    let first = engine.current_tasks(&instance).next().unwrap().node.clone();
    let effects = engine.complete(&mut instance, &first, &env).unwrap();
    let consult = effects
        .iter()
        .find_map(|e| match e {
            Effect::TaskStarted { node, due, .. }
                if engine.user_task(node).unwrap().agency.is_some() =>
            {
                Some((node.clone(), *due))
            }
            _ => None,
        })
        .expect("a consultation step starts");
    assert_eq!(
        engine.user_task(&consult.0).unwrap().agency.as_deref(),
        Some("provincial_police")
    );
    assert!(consult.1.is_some(), "the consultation has its own deadline");
    assert!(
        Engine::next_timer(&instance).is_some(),
        "a timer watches the consultation"
    );
}
