//! What the store's test binaries share: a fresh database on each backend.
#![allow(clippy::unwrap_used, dead_code)]

use motcua_store::Db;

/// A migrated SQLite database in a folder kept for the test, and a scratch PostgreSQL one when
/// `MOTCUA_TEST_POSTGRES_URL` names a server (CI sets it); each with its URL.
pub async fn databases() -> Vec<(Db, String)> {
    let dir = tempfile::tempdir().unwrap().keep();
    let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
    let mut dbs = vec![(Db::connect(&url).await.unwrap(), url)];
    match std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        Ok(base) => {
            let url = motcua_store::create_scratch_postgres_database(&base)
                .await
                .unwrap();
            dbs.push((Db::connect(&url).await.unwrap(), url));
        }
        Err(_) => eprintln!("MOTCUA_TEST_POSTGRES_URL not set: PostgreSQL part skipped"),
    }
    for (db, _) in &dbs {
        db.migrate().await.unwrap();
    }
    dbs
}
