//! Rebuilding the Decision 766 aggregates in chunks, on both backends: damaged facts and sums
//! are mended while other changes go on, and the result equals folding every dossier from
//! nothing; a second rebuild finds nothing left to mend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::databases;

use motcua_store::{
    AgencyRow, Db, DossierPatch, NewDossier, NewEventRecord, NewUser, ProcedureRow, event_hash,
};
use sqlx::Row;

const DOSSIERS: usize = 1_100; // more than two chunks
const DAY: i64 = 86_400_000_000;
const T0: i64 = 1_767_225_600_000_000; // 2026-01-01 UTC

fn event(kind: &str, to: &str, at: i64, data: Option<String>) -> NewEventRecord {
    NewEventRecord {
        at,
        actor_id: "o1".into(),
        actor_role: "officer".into(),
        kind: kind.into(),
        from_state: None,
        to_state: to.into(),
        reason: None,
        data,
    }
}

fn stamp(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .unwrap()
        .to_string()
}

async fn seed_reference(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.insert_tenant("t", "Tỉnh", 1).await.unwrap();
    for a in ["a1", "a2", "a3"] {
        let agency = AgencyRow {
            id: a.into(),
            code: format!("000.00.19.{a}"),
            catalog_key: a.into(),
            name: "Sở".into(),
            level: "province".into(),
            commune_code: None,
            bank_bin: None,
            bank_account: None,
        };
        tx.insert_agency("t", &agency).await.unwrap();
    }
    for p in ["p1", "p2"] {
        let procedure = ProcedureRow {
            id: p.into(),
            code: p.to_uppercase(),
            version: 1,
            name: "Thủ tục".into(),
            field: "Hộ tịch".into(),
            level: "province".into(),
            agency_key: "k".into(),
            per_commune: false,
            online_service: "full".into(),
            legal_half_days: 10,
            fee_vnd: 0,
            online_fee_vnd: 0,
            definition: "{}".into(),
        };
        tx.insert_procedure("t", &procedure, 1).await.unwrap();
    }
    let applicant = NewUser {
        id: "u1".into(),
        login: "u1".into(),
        password_hash: "x".into(),
        role: "citizen".into(),
        agency_id: None,
        display_name_sealed: "sealed".into(),
        profile_sealed: None,
        name_tokens: Vec::new(),
    };
    tx.insert_user("t", &applicant, 1).await.unwrap();
    tx.commit().await.unwrap();
}

fn new_dossier(i: usize) -> NewDossier {
    NewDossier {
        id: format!("d{i:05}"),
        procedure_id: ["p1", "p2"][i % 2].into(),
        agency_id: ["a1", "a2", "a3"][i % 3].into(),
        applicant_id: "u1".into(),
        channel: 2,
        form_sealed: "f".into(),
        identity_sealed: None,
        filing_mode: "self".into(),
        filed_by: None,
        portal_ref: None,
    }
}

async fn seed(db: &Db) {
    seed_reference(db).await;
    for chunk in (0..DOSSIERS).collect::<Vec<_>>().chunks(200) {
        let mut tx = db.begin().await.unwrap();
        for &i in chunk {
            let dossier = new_dossier(i);
            let id = dossier.id.clone();
            let created = event("created", "draft", T0, None);
            tx.create_dossier("t", &dossier, &created).await.unwrap();
            let at = T0 + (i as i64 % 90) * DAY;
            let due = at + 10 * DAY;
            let data = serde_json::json!({ "due_at": stamp(due) }).to_string();
            let received = event("receive", "received", at, Some(data));
            let hash = event_hash(&id, 1, motcua_store::GENESIS_HASH, &created);
            let patch = DossierPatch {
                state: Some("received".into()),
                received_at: Some(at),
                due_at: Some(due),
                ..Default::default()
            };
            tx.append_event(&id, 1, &hash, &received, &patch)
                .await
                .unwrap();
            tx.refresh_dossier_index(&id).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// Every row of the daily and monthly sums, and every dossier's facts, in one order.
async fn aggregates(url: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut all = Vec::new();
    for (table, key) in [("index_daily", "day"), ("index_monthly", "month")] {
        let sql = format!(
            "SELECT {key} AS k, agency_id, procedure_code, received, ended, ended_on_time, \
             ended_late, due_total FROM {table} WHERE received <> 0 OR ended <> 0 OR due_total <> 0 \
             ORDER BY {key}, agency_id, procedure_code"
        );
        for r in sqlx::query(&sql).fetch_all(&pool).await.unwrap() {
            let v: Vec<i64> = (3..8).map(|i| r.get::<i64, _>(i)).collect();
            all.push(format!(
                "{table} {} {} {} {v:?}",
                r.get::<i64, _>(0),
                r.get::<String, _>(1),
                r.get::<String, _>(2)
            ));
        }
    }
    for r in sqlx::query("SELECT dossier_id, facts FROM index_dossiers ORDER BY dossier_id")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        all.push(format!(
            "{} {}",
            r.get::<String, _>(0),
            r.get::<String, _>(1)
        ));
    }
    pool.close().await;
    all
}

async fn run(url: &str, sql: &str) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chunked_rebuild_mends_damage_while_changes_go_on() {
    sqlx::any::install_default_drivers();
    for (db, url) in databases().await {
        seed(&db).await;
        // Damage: a sum raised, a month forgotten, a dossier's facts lost, sums of nobody.
        run(
            &url,
            "UPDATE index_daily SET received = received + 7 WHERE day = 20260105 AND agency_id = 'a1'; \
             DELETE FROM index_monthly WHERE month = 202602 AND agency_id = 'a2'; \
             UPDATE index_dossiers SET facts = '{}' WHERE dossier_id = 'd00004'; \
             INSERT INTO index_daily (tenant_id, day, agency_id, procedure_code, received, online, \
             self_filed, assisted, synced, with_fee, paid_online, electronic_result, digitised, \
             result_to_store, population_registry, reused_data, rated, disliked, \
             complained_or_disliked, resolved, ended, ended_on_time, ended_late, due_total, \
             ended_by_due) VALUES ('t', 20260301, 'a3', 'P9', 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
             0, 0, 0, 0, 0, 0, 0, 0, 0)",
        )
        .await;

        // Officers end dossiers while the rebuild runs; each change folds itself as always.
        let ending = {
            let db = db.clone();
            tokio::spawn(async move {
                for i in (0..DOSSIERS).step_by(7) {
                    let id = format!("d{i:05}");
                    let d = db.dossier("t", &id).await.unwrap().unwrap();
                    let at = d.received_at.unwrap() + 3 * DAY;
                    let mut tx = db.begin().await.unwrap();
                    let patch = DossierPatch {
                        state: Some("returned".into()),
                        finished_at: Some(at),
                        ..Default::default()
                    };
                    let ended = event("return_result", "returned", at, None);
                    tx.append_event(&id, d.last_seq, &d.last_hash, &ended, &patch)
                        .await
                        .unwrap();
                    tx.refresh_dossier_index(&id).await.unwrap();
                    tx.commit().await.unwrap();
                }
            })
        };
        let first = db.rebuild_indices("t").await.unwrap();
        ending.await.unwrap();
        assert_eq!(first.dossiers, DOSSIERS as u64, "{first:?}");
        assert_eq!(
            first.refolded, 1,
            "only d00004's facts were wrong: {first:?}"
        );
        assert!(first.rows_mended >= 3, "{first:?}");

        let second = db.rebuild_indices("t").await.unwrap();
        assert_eq!((second.refolded, second.rows_mended), (0, 0), "{second:?}");

        // The same as folding every dossier from nothing.
        let mended = aggregates(&url).await;
        run(
            &url,
            "DELETE FROM index_daily; DELETE FROM index_monthly; DELETE FROM index_dossiers",
        )
        .await;
        for i in 0..DOSSIERS {
            let mut tx = db.begin().await.unwrap();
            tx.refresh_dossier_index(&format!("d{i:05}")).await.unwrap();
            tx.commit().await.unwrap();
        }
        let from_nothing = aggregates(&url).await;
        assert!(from_nothing.iter().any(|r| r.starts_with("index_monthly")));
        assert_eq!(mended, from_nothing);
    }
}

/// A use case that creates and changes a dossier in one transaction starts from the row
/// `create_dossier` answers: it must be the row as stored, to the last column.
#[tokio::test]
async fn a_created_dossier_is_answered_as_it_is_stored() {
    for (db, _) in databases().await {
        seed_reference(&db).await;
        let created = event("created", "draft", T0 + 7, Some("{}".into()));
        let mut tx = db.begin().await.unwrap();
        let row = tx
            .create_dossier("t", &new_dossier(4), &created)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let stored = db.dossier("t", "d00004").await.unwrap().unwrap();
        assert_eq!(row, stored, "{:?}", db.backend());
    }
}
