//! The outbox on both backends: the messages of a transaction are written together at its
//! commit (one statement), once per idempotency key, and not at all when it is abandoned; a
//! claim leases a batch, oldest first, and a delivery batch is recorded at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::databases;

use motcua_store::OutboxRow;

fn message(id: &str, key: &str, due: i64) -> OutboxRow {
    OutboxRow {
        id: id.into(),
        channel: "sms".into(),
        dossier_id: None,
        idempotency_key: key.into(),
        payload_sealed: format!("sealed {id}"),
        attempts: 0,
        next_attempt_at: due,
        delivered_at: None,
        failed_at: None,
        last_error: None,
        created_at: due,
    }
}

#[tokio::test]
async fn a_transactions_messages_land_together_once_each_and_only_on_commit() {
    for (db, _) in databases().await {
        let backend = db.backend();
        let mut tx = db.begin().await.unwrap();
        tx.insert_tenant("t", "Tỉnh", 1).await.unwrap();
        tx.commit().await.unwrap();

        // Abandoned: nothing written.
        let mut tx = db.begin().await.unwrap();
        tx.enqueue("t", &message("x", "kx", 5)).await.unwrap();
        drop(tx);
        assert!(db.claim_due_messages(10, 100, 50).await.unwrap().is_empty());

        let mut tx = db.begin().await.unwrap();
        for (id, key, due) in [
            ("m3", "k3", 3),
            ("m1", "k1", 1),
            ("m2", "k2", 2),
            ("dup", "k1", 0),
        ] {
            tx.enqueue("t", &message(id, key, due)).await.unwrap();
        }
        tx.commit().await.unwrap();
        // A key already stored is ignored in a later transaction too.
        let mut tx = db.begin().await.unwrap();
        tx.enqueue("t", &message("again", "k2", 0)).await.unwrap();
        tx.commit().await.unwrap();

        let claimed = db.claim_due_messages(10, 100, 50).await.unwrap();
        let ids: Vec<&str> = claimed.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["m1", "m2", "m3"],
            "{backend:?}: once each, oldest first"
        );
        assert_eq!(claimed[0].payload_sealed, "sealed m1");
        assert!(
            db.claim_due_messages(10, 100, 50).await.unwrap().is_empty(),
            "{backend:?}: leased"
        );
        let delivered: Vec<String> = ids[..2].iter().map(|s| s.to_string()).collect();
        db.messages_delivered(&delivered, 20, &[]).await.unwrap();
        // The lease of the third runs out at 100: then it alone is due again.
        let again = db.claim_due_messages(101, 200, 50).await.unwrap();
        let ids: Vec<&str> = again.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["m3"], "{backend:?}");
    }
}

/// Several workers (nodes) claim at once: every message is leased by exactly one of them.
#[tokio::test]
async fn concurrent_claims_lease_each_message_once() {
    const MESSAGES: usize = 200;
    for (db, _) in databases().await {
        let backend = db.backend();
        let mut tx = db.begin().await.unwrap();
        tx.insert_tenant("t", "Tỉnh", 1).await.unwrap();
        for i in 0..MESSAGES {
            let id = format!("m{i:03}");
            tx.enqueue("t", &message(&id, &format!("k{i}"), 1))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let claimed = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let mut workers = Vec::new();
        for _ in 0..4 {
            let (db, claimed) = (db.clone(), claimed.clone());
            workers.push(tokio::spawn(async move {
                for _ in 0..200 {
                    let batch = db.claim_due_messages(10, 100, 20).await.unwrap();
                    let done = {
                        let mut all = claimed.lock().unwrap();
                        all.extend(batch.into_iter().map(|m| m.id));
                        all.len() >= MESSAGES
                    };
                    if done {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
        let mut all = claimed.lock().unwrap().clone();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(
            (n, all.len()),
            (MESSAGES, MESSAGES),
            "{backend:?}: once each"
        );
    }
}
