//! After the last restart: the server delivers what it owes (its due jobs, the gateway's
//! callbacks), then every acknowledged action is looked for in the database, once.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Row;

use crate::Target;
use crate::workload::Journal;

pub struct Outcome {
    pub acknowledged: Value,
    pub lost: Vec<String>,
    pub duplicated: Vec<String>,
}

async fn json_of(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

pub async fn settle_and_check(target: &mut Target, journal: &Journal, sim: &str) -> Outcome {
    let http = reqwest::Client::new();
    // The gateway retries its callbacks for a few seconds; then the server runs its jobs.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let admin: Value = http
        .post(format!("{}/api/v1/session", target.base))
        .json(&json!({"login": "quantri", "password": "MotCua@2026"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = admin["token"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let r = http
            .post(format!("{}/api/v1/admin/jobs", target.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "jobs: {}", r.status());
    }
    let callbacks = json_of(&http, &format!("{sim}/gateway/callbacks")).await;
    let delivered: HashSet<String> = callbacks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "delivered")
        .filter_map(|c| c["session_id"].as_str().map(str::to_string))
        .collect();

    let url = match &target.args.database_url {
        Some(u) => u.clone(),
        None => format!(
            "sqlite://{}",
            target.args.work.join("data").join("motcua.db").display()
        ),
    };
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let dossiers: HashMap<String, Option<String>> = sqlx::query("SELECT id, code FROM dossiers")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("code")))
        .collect();
    let mut events: HashMap<(String, String), i64> = HashMap::new();
    for r in sqlx::query("SELECT dossier_id, kind FROM dossier_events")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        *events
            .entry((r.get("dossier_id"), r.get("kind")))
            .or_default() += 1;
    }
    let payments: Vec<(String, Option<String>, String)> =
        sqlx::query("SELECT dossier_id, session_id, status FROM payments")
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("dossier_id"), r.get("session_id"), r.get("status")))
            .collect();
    let resources: Vec<String> =
        sqlx::query_scalar("SELECT resource FROM idempotency_keys WHERE resource IS NOT NULL")
            .fetch_all(&mut db)
            .await
            .unwrap();

    let mut lost = Vec::new();
    let mut duplicated = Vec::new();
    let count = |id: &str, kind: &str| {
        events
            .get(&(id.to_string(), kind.to_string()))
            .copied()
            .unwrap_or(0)
    };
    let filed = journal.filed.lock().unwrap().clone();
    for f in &filed {
        match dossiers.get(&f.id) {
            Some(Some(code)) if *code == f.code => {}
            other => lost.push(format!(
                "filing {} ({}, key {}) acknowledged, stored as {other:?}",
                f.code, f.id, f.key
            )),
        }
        if count(&f.id, "submit") != 1 {
            duplicated.push(format!(
                "filing {}: {} submit events",
                f.code,
                count(&f.id, "submit")
            ));
        }
    }
    let received = journal.received.lock().unwrap().clone();
    for id in &received {
        match count(id, "receive") {
            1 => {}
            0 => lost.push(format!("receipt of {id} acknowledged, not in its history")),
            n => duplicated.push(format!("receipt of {id} recorded {n} times")),
        }
    }
    let opened = journal.opened.lock().unwrap().clone();
    let mut payments_acknowledged = 0;
    for o in &opened {
        let rows: Vec<&(String, Option<String>, String)> = payments
            .iter()
            .filter(|p| p.1.as_deref() == Some(o.session_id.as_str()))
            .collect();
        if rows.is_empty() {
            lost.push(format!(
                "gateway session {} of {} acknowledged, no payment row",
                o.session_id, o.dossier_id
            ));
            continue;
        }
        if o.paid_at_gateway && delivered.contains(&o.session_id) {
            payments_acknowledged += 1;
            if !matches!(rows[0].2.as_str(), "paid" | "refunding" | "refunded") {
                lost.push(format!(
                    "payment of session {} acknowledged to the gateway, stored as {}",
                    o.session_id, rows[0].2
                ));
            }
        }
    }
    // Copies: every dossier here was filed with a key, so each is one key's resource, once.
    let mut seen = HashSet::new();
    for r in &resources {
        if !seen.insert(r) {
            duplicated.push(format!("one dossier {r} is the resource of two keys"));
        }
    }
    for id in dossiers.keys() {
        if !seen.contains(id) {
            duplicated.push(format!("dossier {id} belongs to no filing key: a copy"));
        }
        if count(id, "fee_paid") > 1 {
            duplicated.push(format!(
                "dossier {id}: fee paid {} times",
                count(id, "fee_paid")
            ));
        }
        if count(id, "receive") > 1 {
            duplicated.push(format!(
                "dossier {id}: received {} times",
                count(id, "receive")
            ));
        }
    }
    let mut codes = HashSet::new();
    for code in dossiers.values().flatten() {
        if !codes.insert(code) {
            duplicated.push(format!("code {code} given twice"));
        }
    }
    Outcome {
        acknowledged: json!({
            "filings": filed.len(),
            "receipts": received.len(),
            "gateway_sessions": opened.len(),
            "payments": payments_acknowledged,
        }),
        lost,
        duplicated,
    }
}

/// Latency of the answered requests, p99 per 5-second window from the start, the p99 before
/// the first kill, and for the last kill how long until a window's p99 is back within 1.5× of
/// that (or under 50 ms) and stays there.
pub fn latency(journal: &Journal, started: Instant, kills: &[Instant]) -> serde_json::Value {
    const WINDOW: Duration = Duration::from_secs(5);
    let mut samples = journal.latencies.lock().unwrap().clone();
    samples.sort_by_key(|(at, _)| *at);
    let p99 = |mut v: Vec<Duration>| -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        v.sort();
        let i = ((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len()) - 1;
        Some((v[i].as_secs_f64() * 10_000.0).round() / 10.0)
    };
    let windows: Vec<(f64, Option<f64>)> = {
        let end = samples.last().map(|(at, _)| *at).unwrap_or(started);
        let mut out = Vec::new();
        let mut from = started;
        while from <= end {
            let to = from + WINDOW;
            let in_window = samples
                .iter()
                .filter(|(at, _)| *at >= from && *at < to)
                .map(|(_, d)| *d)
                .collect();
            out.push(((from - started).as_secs_f64(), p99(in_window)));
            from = to;
        }
        out
    };
    let before = kills.first().and_then(|k| {
        p99(samples
            .iter()
            .filter(|(at, _)| at < k)
            .map(|(_, d)| *d)
            .collect())
    });
    let recovered_after = match (kills.last(), before) {
        (Some(k), Some(b)) => {
            let limit = (b * 1.5).max(50.0);
            let since = (*k - started).as_secs_f64();
            let after: Vec<&(f64, Option<f64>)> =
                windows.iter().filter(|(t, _)| *t + 5.0 > since).collect();
            (0..after.len())
                .find(|&i| after[i..].iter().all(|(_, p)| p.is_none_or(|p| p <= limit)))
                .map(|i| (after[i].0 - since).max(0.0).round())
        }
        _ => None,
    };
    serde_json::json!({
        "answered": samples.len(),
        "p99_ms_all": p99(samples.iter().map(|(_, d)| *d).collect()),
        "p99_ms_before_first_kill": before,
        "seconds_from_last_kill_to_steady_p99": recovered_after,
        "p99_ms_per_5s": windows.iter().map(|(t, p)| serde_json::json!([t.round(), p])).collect::<Vec<_>>(),
    })
}
