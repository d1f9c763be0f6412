//! Concurrent write transactions on both backends (on SQLite they share one commit, see the
//! store's `batch` module): each lands or not on its own, what a commit wrote is seen by every
//! reader once `commit` returns, and a failing or abandoned transaction takes nobody else's
//! work with it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::databases;

use motcua_store::Db;

/// What each of the concurrent transactions does.
fn fate(i: usize) -> &'static str {
    match i % 4 {
        0 | 1 => "commits",
        2 => "is abandoned",
        _ => "fails",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transactions_land_or_fail_each_on_its_own() {
    for (db, url) in databases().await {
        let mut tx = db.begin().await.unwrap();
        tx.insert_tenant("taken", "Đã có", 1).await.unwrap();
        tx.commit().await.unwrap();

        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..160 {
            let db = db.clone();
            tasks.spawn(async move {
                let id = format!("t{i}");
                let mut tx = db.begin().await.unwrap();
                tx.insert_tenant(&id, "Mới", 1).await.unwrap();
                // Others queue for the writer meanwhile.
                tokio::task::yield_now().await;
                match fate(i) {
                    "commits" => {
                        tx.commit().await.unwrap();
                        assert!(
                            db.tenant_exists(&id).await.unwrap(),
                            "{id} read once committed"
                        );
                    }
                    "fails" => {
                        let again = tx.insert_tenant("taken", "Trùng", 1).await;
                        assert!(again.is_err(), "a duplicate key is refused");
                        drop(tx);
                    }
                    _ => drop(tx),
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        // Through a connection of its own: the committed ones, and only those.
        let fresh = Db::connect(&url).await.unwrap();
        for i in 0..160 {
            let id = format!("t{i}");
            let there = fresh.tenant_exists(&id).await.unwrap();
            assert_eq!(there, fate(i) == "commits", "{id} {}", fate(i));
        }
        // The writer is free again: a transaction after the burst commits at once.
        let mut tx = db.begin().await.unwrap();
        tx.insert_tenant("after", "Sau", 1).await.unwrap();
        tx.commit().await.unwrap();
        assert!(fresh.tenant_exists("after").await.unwrap());
    }
}
