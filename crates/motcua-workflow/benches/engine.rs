//! Process instances completed per second on the 10-step model with a parallel consultation
//! (bench/process/consultation-10.bpmn), in memory and through SQLite (each step one durable
//! transaction: the dossier's event and the instance, as the application writes them).
//! `bash bench/process.sh` runs this and the same model through SpiffWorkflow, and prints the
//! ratio.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use motcua_store::{
    AgencyRow, Db, DossierPatch, NewDossier, NewEventRecord, NewUser, ProcedureRow,
    ProcessDefinitionRow, ProcessInstanceRow, ProcessTaskRow,
};
use motcua_workflow::engine::{Engine, Env, Instance};

const MODEL: &str = include_str!("../../../bench/process/consultation-10.bpmn");

struct BenchEnv {
    data: serde_json::Value,
}

impl Env for BenchEnv {
    fn now(&self) -> i64 {
        1_800_000_000_000_000
    }
    fn due_after(&self, from: i64, working_days: f64) -> i64 {
        from + (working_days * 8.0 * 3_600_000_000.0) as i64
    }
    fn legal_days(&self) -> f64 {
        10.0
    }
    fn data(&self) -> &serde_json::Value {
        &self.data
    }
}

fn engine() -> Engine {
    Engine::new(motcua_workflow::executable(MODEL).expect("the bench model runs")).unwrap()
}

/// Runs one instance to its end, completing the first waiting task each time.
fn run_in_memory(engine: &Engine, env: &BenchEnv) -> usize {
    let (mut instance, _) = engine.start(env).unwrap();
    let mut done = 0;
    loop {
        let next = engine
            .current_tasks(&instance)
            .next()
            .map(|t| t.node.clone());
        let Some(node) = next else { break };
        engine.complete(&mut instance, &node, env).unwrap();
        done += 1;
    }
    assert!(instance.ended);
    done
}

fn in_memory(c: &mut Criterion) {
    let engine = engine();
    let env = BenchEnv {
        data: serde_json::json!({"fee_vnd": 50000}),
    };
    assert_eq!(run_in_memory(&engine, &env), 10, "ten steps");
    let mut group = c.benchmark_group("engine");
    group.bench_function(BenchmarkId::new("consultation-10", "in_memory"), |b| {
        b.iter(|| run_in_memory(&engine, &env))
    });
    group.finish();
}

/// A database with one tenant, agency, procedure, applicant and process version.
async fn database(dir: &std::path::Path) -> (Db, String) {
    let db = Db::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("bench.db").display()
    ))
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.insert_tenant("t", "Bench", 0).await.unwrap();
    tx.insert_agency(
        "t",
        &AgencyRow {
            id: "a".into(),
            code: "000.00.00.H00".into(),
            catalog_key: "bench".into(),
            name: "Bench".into(),
            level: "province".into(),
            commune_code: None,
            bank_bin: None,
            bank_account: None,
        },
    )
    .await
    .unwrap();
    tx.insert_procedure(
        "t",
        &ProcedureRow {
            id: "p".into(),
            code: "B-01".into(),
            version: 1,
            name: "Bench".into(),
            field: "bench".into(),
            level: "province".into(),
            agency_key: "bench".into(),
            per_commune: false,
            online_service: "full".into(),
            legal_half_days: 20,
            fee_vnd: 50000,
            online_fee_vnd: 50000,
            definition: "{}".into(),
        },
        0,
    )
    .await
    .unwrap();
    tx.insert_user(
        "t",
        &NewUser {
            id: "u".into(),
            login: "u".into(),
            password_hash: "x".into(),
            role: "citizen".into(),
            agency_id: None,
            display_name_sealed: "x".into(),
            profile_sealed: None,
            name_tokens: Vec::new(),
        },
        0,
    )
    .await
    .unwrap();
    tx.insert_process_definition(
        "t",
        &ProcessDefinitionRow {
            id: "d".into(),
            procedure_code: "B-01".into(),
            version: 1,
            name: "Bench".into(),
            bpmn: MODEL.into(),
            sha256: String::new(),
            uploaded_by: None,
            created_at: 0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (db, "d".into())
}

fn event(kind: &str) -> NewEventRecord {
    NewEventRecord {
        at: 0,
        actor_id: "u".into(),
        actor_role: "specialist".into(),
        kind: kind.into(),
        from_state: Some("received".into()),
        to_state: "received".into(),
        reason: None,
        data: None,
    }
}

/// One instance through the store: the dossier, then one transaction per step.
async fn run_through_sqlite(db: &Db, engine: &Engine, env: &BenchEnv, n: u64) {
    let id = format!("x{n}");
    let mut tx = db.begin().await.unwrap();
    let created = event("created");
    tx.create_dossier(
        "t",
        &NewDossier {
            id: id.clone(),
            procedure_id: "p".into(),
            agency_id: "a".into(),
            applicant_id: "u".into(),
            channel: 2,
            form_sealed: "{}".into(),
            identity_sealed: None,
            filing_mode: "self".into(),
            filed_by: None,
            portal_ref: None,
        },
        &created,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (mut instance, _) = engine.start(env).unwrap();
    let mut seq = 1;
    let mut hash = motcua_store::event_hash(&id, 1, motcua_store::GENESIS_HASH, &created);
    loop {
        let ev = event("step_completed");
        let mut tx = db.begin().await.unwrap();
        tx.append_event(&id, seq, &hash, &ev, &DossierPatch::default())
            .await
            .unwrap();
        hash = motcua_store::event_hash(&id, seq + 1, &hash, &ev);
        seq += 1;
        save(&mut tx, engine, &id, &instance).await;
        tx.commit().await.unwrap();
        let Some(node) = engine
            .current_tasks(&instance)
            .next()
            .map(|t| t.node.clone())
        else {
            break;
        };
        engine.complete(&mut instance, &node, env).unwrap();
    }
    assert!(instance.ended);
}

async fn save(tx: &mut motcua_store::Tx, engine: &Engine, id: &str, instance: &Instance) {
    let tasks: Vec<ProcessTaskRow> = engine
        .current_tasks(instance)
        .map(|t| ProcessTaskRow {
            dossier_id: id.into(),
            token: t.id as i64,
            node_id: t.node.clone(),
            name: t.node.clone(),
            role: "specialist".into(),
            agency_id: None,
            since: t.since,
            due_at: t.due,
        })
        .collect();
    tx.save_process_instance(
        &ProcessInstanceRow {
            dossier_id: id.into(),
            definition_id: "d".into(),
            state: serde_json::to_string(instance).unwrap(),
            ended: instance.ended,
            next_timer_at: Engine::next_timer(instance),
            updated_at: 0,
        },
        &tasks,
    )
    .await
    .unwrap();
}

fn through_sqlite(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = rt.block_on(database(dir.path()));
    let engine = engine();
    let env = BenchEnv {
        data: serde_json::json!({"fee_vnd": 50000}),
    };
    let mut n = 0u64;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("consultation-10", "sqlite"), |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(run_through_sqlite(&db, &engine, &env, n))
        })
    });
    group.finish();
}

criterion_group!(benches, in_memory, through_sqlite);
criterion_main!(benches);
