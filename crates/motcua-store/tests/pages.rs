//! Keyset pages of the citizen's list and the work queue, on both backends: walking the pages
//! gives every line once, in the same order as one big sorted list, and the filters and
//! counts agree with the lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::databases;

use motcua_store::{
    AgencyRow, Classes, Db, DossierPatch, NewDossier, NewEventRecord, NewUser, ProcedureRow,
    QueueFilter, QueueKey, QueueScope, RecentKey, TextMatch,
};

fn event(to: &str, at: i64) -> NewEventRecord {
    NewEventRecord {
        at,
        actor_id: "u1".into(),
        actor_role: "citizen".into(),
        kind: "created".into(),
        from_state: None,
        to_state: to.into(),
        reason: None,
        data: None,
    }
}

const STATES: [&str; 5] = [
    "received",
    "supplement_requested",
    "submitted",
    "awaiting_approval",
    "returned",
];
const NOW: i64 = 1_000_000;

/// 61 dossiers of two applicants at agency a1 in assorted states and dues; a few with equal
/// dues and equal change instants, so the id must break the ties.
async fn seed(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.insert_tenant("t", "Tenant", 1).await.unwrap();
    for a in ["a1", "a2"] {
        tx.insert_agency(
            "t",
            &AgencyRow {
                id: a.into(),
                code: format!("000.00.19.{a}"),
                catalog_key: a.into(),
                name: "Sở".into(),
                level: "province".into(),
                commune_code: None,
                bank_bin: None,
                bank_account: None,
            },
        )
        .await
        .unwrap();
    }
    tx.insert_procedure(
        "t",
        &ProcedureRow {
            id: "p1".into(),
            code: "HT-01".into(),
            version: 1,
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            level: "commune".into(),
            agency_key: "k".into(),
            per_commune: false,
            online_service: "full".into(),
            legal_half_days: 0,
            fee_vnd: 0,
            online_fee_vnd: 0,
            definition: "{}".into(),
        },
        1,
    )
    .await
    .unwrap();
    for (id, tokens) in [("u1", vec!["nguyen", "lan"]), ("u2", vec!["tran", "an"])] {
        tx.insert_user(
            "t",
            &NewUser {
                id: id.into(),
                login: id.into(),
                password_hash: "x".into(),
                role: "citizen".into(),
                agency_id: None,
                display_name_sealed: "sealed".into(),
                profile_sealed: None,
                name_tokens: tokens.into_iter().map(str::to_string).collect(),
            },
            1,
        )
        .await
        .unwrap();
    }
    for i in 0..61i64 {
        let id = format!("d{i:03}");
        let agency = if i == 60 { "a2" } else { "a1" };
        tx.create_dossier(
            "t",
            &NewDossier {
                id: id.clone(),
                procedure_id: "p1".into(),
                agency_id: agency.into(),
                applicant_id: if i % 3 == 0 { "u2" } else { "u1" }.into(),
                channel: 2,
                form_sealed: "f".into(),
                identity_sealed: None,
                filing_mode: "self".into(),
                filed_by: None,
                portal_ref: None,
            },
            &event("draft", 10),
        )
        .await
        .unwrap();
        let state = STATES[(i % 5) as usize];
        // Dues spread around NOW, four at a time sharing one instant; every seventh has none.
        let due = (i % 7 != 0).then_some(NOW + (i / 4 - 7) * 1_000);
        tx.append_event(
            &id,
            1,
            &motcua_store::event_hash(&id, 1, motcua_store::GENESIS_HASH, &event("draft", 10)),
            &event(state, 20 + i / 3),
            &DossierPatch {
                state: Some(state.into()),
                code: Some(format!("H19-261205-{i:04}")),
                due_at: due,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

const QUEUE_STATES: [&str; 4] = [
    "received",
    "supplement_requested",
    "submitted",
    "awaiting_approval",
];
const RUNNING: [&str; 4] = [
    "received",
    "in_consultation",
    "awaiting_payment",
    "awaiting_approval",
];
const PAUSED: [&str; 2] = ["supplement_requested", "awaiting_payment"];

const CLASSES: Classes<'static> = Classes {
    paused_states: &PAUSED,
    running_states: &RUNNING,
};

fn scope() -> QueueScope<'static> {
    QueueScope {
        agency_id: "a1",
        states: &QUEUE_STATES,
        classes: CLASSES,
    }
}

async fn walk(db: &Db, filter: &QueueFilter, limit: i64) -> Vec<(String, QueueKey)> {
    let mut all = Vec::new();
    let mut after: Option<QueueKey> = None;
    loop {
        let page = db
            .queue_page("t", &scope(), filter, after.as_ref(), limit)
            .await
            .unwrap();
        assert!(page.len() as i64 <= limit);
        let done = (page.len() as i64) < limit;
        after = page.last().map(|(_, k)| k.clone());
        all.extend(page.into_iter().map(|(r, k)| (r.id, k)));
        if done {
            return all;
        }
    }
}

#[tokio::test]
async fn queue_pages_walk_every_line_once_most_pressing_first() {
    for (db, _keep) in databases().await {
        seed(&db).await;
        let everything = walk(&db, &QueueFilter::default(), 1_000).await;
        // Dossiers 0..60 at a1 whose state (i % 5) is in the queue: not "returned" (4).
        assert_eq!(everything.len(), 48);
        let keys: Vec<(i64, i64, String)> = everything
            .iter()
            .map(|(_, k)| (k.class, k.due, k.id.clone()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "in key order");
        for (id, k) in &everything {
            let i: i64 = id[1..].parse().unwrap();
            let expected_class = match STATES[(i % 5) as usize] {
                "supplement_requested" => 1,
                "received" | "awaiting_approval" if i % 7 != 0 => 0,
                _ => 2,
            };
            assert_eq!(k.class, expected_class, "{id}");
        }
        for limit in [1, 7, 48, 50] {
            assert_eq!(walk(&db, &QueueFilter::default(), limit).await, everything);
        }

        // Urgency ranges: class 0 before NOW is exactly the overdue part.
        let overdue = QueueFilter {
            class: Some(0),
            due_before: Some(NOW),
            ..Default::default()
        };
        let got = walk(&db, &overdue, 5).await;
        let expected: Vec<_> = everything
            .iter()
            .filter(|(_, k)| k.class == 0 && k.due < NOW)
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(got, expected);

        let counts = db
            .queue_counts("t", &scope(), NOW, NOW + 3_000, NOW + 10_000)
            .await
            .unwrap();
        let count =
            |f: &dyn Fn(&QueueKey) -> bool| everything.iter().filter(|(_, k)| f(k)).count() as i64;
        assert_eq!(counts.overdue, expected.len() as i64);
        assert_eq!(
            counts.due_today,
            count(&|k| k.class == 0 && (NOW..NOW + 3_000).contains(&k.due))
        );
        assert_eq!(
            counts.due_soon,
            count(&|k| k.class == 0 && (NOW + 3_000..NOW + 10_000).contains(&k.due))
        );
        assert_eq!(
            counts.on_time,
            count(&|k| k.class == 0 && k.due >= NOW + 10_000)
        );
        assert_eq!(counts.paused, count(&|k| k.class == 1));
        assert_eq!(counts.no_deadline, count(&|k| k.class == 2));

        // Text: a code fragment, or the applicant's name tokens (all of them), or neither.
        let by_code = QueueFilter {
            text: Some(TextMatch {
                code_contains: Some("-0012".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let got: Vec<String> = walk(&db, &by_code, 10)
            .await
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(got, vec!["d012".to_string()]);
        let wildcard = QueueFilter {
            text: Some(TextMatch {
                code_contains: Some("%".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(walk(&db, &wildcard, 10).await.is_empty(), "% is literal");
        let by_name = |tokens: &[&str]| QueueFilter {
            text: Some(TextMatch {
                name_tokens: tokens.iter().map(|t| t.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let tran_an = walk(&db, &by_name(&["tran", "an"]), 4).await;
        assert_eq!(
            tran_an,
            everything
                .iter()
                .filter(|(id, _)| id[1..].parse::<i64>().unwrap() % 3 == 0)
                .cloned()
                .collect::<Vec<_>>()
        );
        assert!(walk(&db, &by_name(&["tran", "lan"]), 4).await.is_empty());
    }
}

#[tokio::test]
async fn the_citizens_list_pages_by_most_recent_change() {
    for (db, _keep) in databases().await {
        seed(&db).await;
        let mut seen = Vec::new();
        let mut after: Option<RecentKey> = None;
        loop {
            let page = db
                .applicant_page(
                    "t",
                    "u1",
                    &CLASSES,
                    &QueueFilter::default(),
                    after.as_ref(),
                    6,
                )
                .await
                .unwrap();
            after = page.last().map(|r| RecentKey {
                updated_at: r.updated_at,
                id: r.id.clone(),
            });
            let n = page.len();
            seen.extend(page.into_iter().map(|r| (r.updated_at, r.id)));
            if n < 6 {
                break;
            }
        }
        assert_eq!(seen.len(), 40, "two thirds of 61 dossiers are u1's");
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest change first, ties by id");
        let mut ids: Vec<_> = seen.iter().map(|x| &x.1).collect();
        ids.dedup();
        assert_eq!(ids.len(), 40, "no line twice");

        // The same filters as the queue: her dossiers waiting on her.
        let paused = QueueFilter {
            class: Some(1),
            ..Default::default()
        };
        let waiting = db
            .applicant_page("t", "u1", &CLASSES, &paused, None, 100)
            .await
            .unwrap();
        assert!(!waiting.is_empty());
        assert!(waiting.iter().all(|r| r.state == "supplement_requested"));
        assert_eq!(
            waiting.len(),
            seen.iter()
                .filter(|(_, id)| id[1..].parse::<i64>().unwrap() % 5 == 1)
                .count()
        );
    }
}
