//! The store's behaviour on both backends: SQLite always, PostgreSQL when
//! `MOTCUA_TEST_POSTGRES_URL` names a server (CI sets it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_store::{
    AgencyRow, Db, DossierPatch, NewDossier, NewEventRecord, NewUser, ProcedureRow, StoreError,
    chain_is_intact,
};

async fn databases() -> Vec<(Db, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let mut dbs = vec![(Db::connect(&url).await.unwrap(), Some(dir))];
    match std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        Ok(base) => {
            let url = motcua_store::create_scratch_postgres_database(&base)
                .await
                .unwrap();
            dbs.push((Db::connect(&url).await.unwrap(), None));
        }
        Err(_) => eprintln!("MOTCUA_TEST_POSTGRES_URL not set: PostgreSQL part skipped"),
    }
    for (db, _) in &dbs {
        db.migrate().await.unwrap();
        db.migrate().await.unwrap(); // twice: idempotent
    }
    dbs
}

fn event(kind: &str, from: Option<&str>, to: &str, at: i64) -> NewEventRecord {
    NewEventRecord {
        at,
        actor_id: "u1".into(),
        actor_role: "citizen".into(),
        kind: kind.into(),
        from_state: from.map(str::to_string),
        to_state: to.into(),
        reason: None,
        data: None,
    }
}

async fn seed(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.insert_tenant("t", "Tenant", 1).await.unwrap();
    tx.insert_agency(
        "t",
        &AgencyRow {
            id: "a1".into(),
            code: "000.00.19.H19".into(),
            catalog_key: "k".into(),
            name: "Sở".into(),
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
    tx.insert_user(
        "t",
        &NewUser {
            id: "u1".into(),
            login: "lan".into(),
            password_hash: "x".into(),
            role: "citizen".into(),
            agency_id: None,
            display_name_sealed: "sealed".into(),
            profile_sealed: None,
            name_tokens: vec!["tok-lan".into(), "tok-nguyen".into()],
        },
        1,
    )
    .await
    .unwrap();
    tx.create_dossier(
        "t",
        &NewDossier {
            id: "d1".into(),
            procedure_id: "p1".into(),
            agency_id: "a1".into(),
            applicant_id: "u1".into(),
            channel: 2,
            form_sealed: "f".into(),
            identity_sealed: Some("i".into()),
            filing_mode: "self".into(),
            filed_by: None,
            portal_ref: None,
        },
        &event("created", None, "draft", 10),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn events_and_state_are_written_together_and_chained() {
    for (db, _keep) in databases().await {
        seed(&db).await;
        let d = db.dossier("t", "d1").await.unwrap().unwrap();
        assert_eq!((d.state.as_str(), d.last_seq), ("draft", 1));
        assert!(d.code.is_none() && d.rating.is_none());

        let mut tx = db.begin().await.unwrap();
        let n = tx.next_code_sequence("a1", "261123").await.unwrap();
        let seq = tx
            .append_event(
                "d1",
                d.last_seq,
                &d.last_hash,
                &event("submit", Some("draft"), "submitted", 20),
                &DossierPatch {
                    state: Some("submitted".into()),
                    code: Some(format!("000.00.19.H19-261123-{n:04}")),
                    submitted_at: Some(20),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((n, seq), (1, 2));

        let d2 = db.dossier("t", "d1").await.unwrap().unwrap();
        assert_eq!(d2.state, "submitted");
        assert_eq!(d2.code.as_deref(), Some("000.00.19.H19-261123-0001"));
        assert_eq!(d2.submitted_at, Some(20));
        assert_eq!(d2.form_sealed, "f", "untouched column kept");

        // A stale writer (still at seq 1) is refused and writes nothing.
        let mut tx = db.begin().await.unwrap();
        let stale = tx
            .append_event(
                "d1",
                1,
                &d.last_hash,
                &event("submit", Some("draft"), "submitted", 30),
                &DossierPatch::default(),
            )
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict)));
        drop(tx);

        let events = db.events("d1").await.unwrap();
        assert_eq!(events.len(), 2);
        assert!(chain_is_intact("d1", &events));
        let mut tampered = events.clone();
        tampered[0].reason = Some("edited".into());
        assert!(!chain_is_intact("d1", &tampered));

        let list = db
            .dossiers_of_agency("t", "a1", &["submitted"], 10)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].procedure_name, "Đăng ký khai sinh");
        assert!(
            db.dossiers_of_agency("t", "a1", &["returned"], 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.applicant_page(
                "t",
                "u1",
                &motcua_store::Classes::default(),
                &motcua_store::QueueFilter::default(),
                None,
                10
            )
            .await
            .unwrap()
            .len(),
            1
        );
    }
}

#[tokio::test]
async fn code_sequences_count_per_agency_and_day() {
    for (db, _keep) in databases().await {
        seed(&db).await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(tx.next_code_sequence("a1", "261123").await.unwrap(), 1);
        assert_eq!(tx.next_code_sequence("a1", "261123").await.unwrap(), 2);
        assert_eq!(tx.next_code_sequence("a1", "261124").await.unwrap(), 1);
        assert_eq!(tx.next_code_sequence("a2", "261123").await.unwrap(), 1);
        tx.commit().await.unwrap();
        db.ping().await.unwrap();
    }
}

/// The migration files of one backend, by name.
fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every table's columns, `table.column`, sorted.
async fn columns(url: &str, query: &str) -> Vec<String> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let mut out: Vec<String> = sqlx::query(query)
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{}.{}", r.get::<String, _>(0), r.get::<String, _>(1)))
        .filter(|c| !c.starts_with("_sqlx"))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn both_backends_have_the_same_migrations_and_the_same_schema() {
    let sqlite = migration_names("sqlite");
    assert!(sqlite.len() >= 19, "{sqlite:?}");
    assert_eq!(
        sqlite,
        migration_names("postgres"),
        "each migration exists for both backends, under the same name"
    );
    let Ok(base) = std::env::var("MOTCUA_TEST_POSTGRES_URL") else {
        eprintln!("MOTCUA_TEST_POSTGRES_URL not set: schema comparison skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let postgres_url = motcua_store::create_scratch_postgres_database(&base)
        .await
        .unwrap();
    for url in [&sqlite_url, &postgres_url] {
        let db = Db::connect(url).await.unwrap();
        db.migrate().await.unwrap();
        db.close().await;
    }
    let on_sqlite = columns(
        &sqlite_url,
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .await;
    let on_postgres = columns(
        &postgres_url,
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public'",
    )
    .await;
    assert!(on_sqlite.len() > 100, "{on_sqlite:?}");
    assert_eq!(on_sqlite, on_postgres, "same tables, same columns");
}
