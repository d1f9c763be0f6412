//! The dashboard's queries over the aggregates of 10 million generated dossier events: the
//! demo province's agencies and procedures, about 2,250 dossiers a day from 2025-01-01 to
//! 2026-11-30 (the field reports' one province: 529,710 in 265 days). Each generated dossier's
//! events are folded by the same code as the live path (`IndexFacts::derive`, then its daily
//! contributions) and the sums loaded through the same upsert; the events themselves are not
//! stored (the dashboard never reads them). SQLite always; PostgreSQL too when
//! `MOTCUA_TEST_POSTGRES_URL` is set. `MOTCUA_BENCH_EVENTS` changes the number of events,
//! `MOTCUA_BENCH_SPREAD` the number of agencies (see below).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::ToSpan;
use motcua_app::domain::calendar::vietnam_tz;
use motcua_app::domain::indices::{Basics, Counters, IndexEvent, IndexFacts, Period};
use motcua_app::{App, Config, IndexQuery};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DEFAULT_EVENTS: u64 = 10_000_000;
const MINUTE: i64 = 60_000_000;
const DAY: i64 = 24 * 60 * MINUTE;

struct Loaded {
    events: u64,
    dossiers: u64,
    days: usize,
    open: usize,
}

fn ev(at: i64, kind: &str, to: &str) -> IndexEvent {
    IndexEvent {
        at,
        kind: kind.into(),
        to_state: to.into(),
        due_at: None,
        score: None,
    }
}

/// Generates dossiers until `target` events, folds them and loads the sums.
async fn generate(app: &App, target: u64) -> Loaded {
    let catalog = app.catalog();
    let calendar = app.calendar();
    let offers: Vec<(String, String, f64, bool)> = catalog
        .agencies()
        .iter()
        .flat_map(|a| {
            catalog.procedures_at(&a.id).into_iter().map(|p| {
                let fee = p.fee_vnd > 0 || p.online_fee_vnd > 0;
                (
                    a.id.clone(),
                    p.code.clone(),
                    p.legal_working_days.max(0.5),
                    fee,
                )
            })
        })
        .collect();
    assert!(!offers.is_empty(), "the demo catalog offers procedures");
    // MOTCUA_BENCH_SPREAD=k spreads the dossiers over k times as many agencies (copies of the
    // demo's), for a province with many more agency and procedure pairs: more daily rows.
    let spread: usize = std::env::var("MOTCUA_BENCH_SPREAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let offers: Vec<(String, String, f64, bool)> = (0..spread.max(1))
        .flat_map(|k| {
            offers.iter().map(move |(a, p, d, f)| {
                let agency = if k == 0 {
                    a.clone()
                } else {
                    format!("{a}#{k}")
                };
                (agency, p.clone(), *d, *f)
            })
        })
        .collect();
    let first = jiff::civil::date(2025, 1, 1);
    let span_days = 699;
    let now = jiff::Timestamp::now().as_microsecond();
    let mut rng = StdRng::seed_from_u64(766);
    let mut sums: HashMap<(i64, usize), Counters> = HashMap::new();
    let mut open = Vec::new();
    let (mut events, mut dossiers) = (0u64, 0u64);
    let mut list = Vec::with_capacity(12);
    while events < target {
        let offer = rng.gen_range(0..offers.len());
        let (agency, procedure, legal_days, has_fee) = &offers[offer];
        let day = first
            .checked_add(rng.gen_range(0..=span_days).days())
            .unwrap();
        let minute: i64 = rng.gen_range(7 * 60..17 * 60);
        let t0 = day
            .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .to_zoned(vietnam_tz())
            .unwrap()
            .timestamp()
            .as_microsecond();
        let received = t0 + rng.gen_range(5..240) * MINUTE;
        let due = calendar
            .due_at(
                jiff::Timestamp::from_microsecond(received).unwrap(),
                *legal_days,
            )
            .as_microsecond();
        list.clear();
        list.push(ev(t0 - 10 * MINUTE, "created", "draft"));
        list.push(ev(t0, "submit", "submitted"));
        list.push(IndexEvent {
            due_at: Some(due),
            ..ev(received, "receive", "received")
        });
        let length = due - received;
        let mut at = received + length / 3;
        let mut due = due;
        if rng.gen_bool(0.08) {
            list.push(ev(
                at,
                "request_supplement_in_appraisal",
                "supplement_requested",
            ));
            at += rng.gen_range(1..5) * DAY;
            due = at + length;
            list.push(IndexEvent {
                due_at: Some(due),
                ..ev(at, "receive", "received")
            });
        }
        let recent = t0 > now - 30 * DAY;
        if recent && rng.gen_bool(0.3) {
            // Still being handled.
        } else if rng.gen_bool(0.03) {
            list.push(ev(at, "refuse", "refused"));
        } else {
            list.push(ev(at, "appraise", "awaiting_approval"));
            let end = if rng.gen_bool(0.02) {
                due + rng.gen_range(1..72) * 60 * MINUTE
            } else {
                at + length / 3
            };
            list.push(ev(end, "approve", "result_ready"));
            list.push(ev(end + 60 * MINUTE, "return_result", "returned"));
            if rng.gen_bool(0.3) {
                let score = if rng.gen_bool(0.9) { 3 } else { 1 };
                list.push(IndexEvent {
                    score: Some(score),
                    ..ev(end + 120 * MINUTE, "rate", "returned")
                });
            }
        }
        let online = rng.gen_bool(0.7);
        let mode = match (online, rng.gen_bool(0.3)) {
            (false, _) => "counter",
            (true, true) => "self",
            (true, false) => "assisted",
        };
        let basics = Basics {
            channel: if online { 2 } else { 1 },
            filing_mode: mode.into(),
            has_fee: *has_fee,
            synced: rng.gen_bool(0.97),
            paid_online: *has_fee && rng.gen_bool(0.6),
            digitised: rng.gen_bool(0.85),
            result_to_store: rng.gen_bool(0.7),
            population_registry: rng.gen_bool(0.8),
            reused_data: rng.gen_bool(0.4),
            complained: rng.gen_bool(0.01),
        };
        let facts = IndexFacts::derive(basics, &list);
        for (day, c) in facts.contributions() {
            sums.entry((day, offer)).or_default().add(&c);
        }
        if facts.received_at.is_some() && facts.ended_at.is_none() {
            let due = facts.due_at.unwrap_or(received);
            open.push((
                format!("bench-{dossiers}"),
                agency.clone(),
                procedure.clone(),
                due,
            ));
        }
        events += list.len() as u64;
        dossiers += 1;
    }
    let days: Vec<(i64, String, String, Counters)> = sums
        .into_iter()
        .map(|((day, offer), c)| (day, offers[offer].0.clone(), offers[offer].1.clone(), c))
        .collect();
    let loaded = Loaded {
        events,
        dossiers,
        days: days.len(),
        open: open.len(),
    };
    app.load_index_aggregates(&days, &open).await.unwrap();
    loaded
}

fn bench_backend(c: &mut Criterion, name: &str, database_url: Option<String>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = std::env::var("MOTCUA_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let app = rt.block_on(async {
        let url = match database_url {
            Some(base) => Some(motcua_store::create_scratch_postgres_database(&base).await.unwrap()),
            None => None,
        };
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: url,
            master_key_hex: None,
            cutoff: None,
            integrations: Default::default(),
            pool: Default::default(),
            files_url: None,
            files_keys: None,
        };
        let app = App::open(&config).await.unwrap();
        app.seed_demo().await.unwrap();
        let started = Instant::now();
        let loaded = generate(&app, target).await;
        eprintln!(
            "{name}: {} events of {} dossiers folded into {} daily rows and {} open dossiers in {:.1} s",
            loaded.events,
            loaded.dossiers,
            loaded.days,
            loaded.open,
            started.elapsed().as_secs_f64()
        );
        app
    });
    let agency = app.catalog().agencies()[0].code.clone();
    let year = Period::parse("2026-01-01..2026-11-30").unwrap();
    let month = Period::parse("2026-11").unwrap();
    let to_today = app.period_or_this_month(Some("2026")).unwrap();
    let mut group = c.benchmark_group(format!("indices_{name}"));
    group.sample_size(20);
    group.bench_function("province_figures_2026", |b| {
        b.iter(|| {
            rt.block_on(app.figures(&IndexQuery::default(), &year))
                .unwrap()
        })
    });
    group.bench_function("province_figures_year_to_today", |b| {
        b.iter(|| {
            rt.block_on(app.figures(&IndexQuery::default(), &to_today))
                .unwrap()
        })
    });
    group.bench_function("agency_figures_month", |b| {
        let q = IndexQuery {
            agency: Some(agency.clone()),
            ..Default::default()
        };
        b.iter(|| rt.block_on(app.figures(&q, &month)).unwrap())
    });
    group.bench_function("ranking_2026", |b| {
        b.iter(|| rt.block_on(app.ranking(&year)).unwrap())
    });
    group.bench_function("province_trend_12_months", |b| {
        b.iter(|| rt.block_on(app.monthly_trend(None, year.to, 12)).unwrap())
    });
    group.finish();
    let f = rt
        .block_on(app.figures(&IndexQuery::default(), &year))
        .unwrap();
    let received = f
        .report
        .rates
        .iter()
        .find(|r| r.key == "online")
        .map_or(0, |r| r.denominator);
    eprintln!(
        "{name}: 2026 province score {:?} grade {:?}, {received} dossiers received",
        f.report.score, f.report.grade
    );
    rt.block_on(app.close());
}

fn indices(c: &mut Criterion) {
    // MOTCUA_BENCH_BACKENDS=postgres skips SQLite (e.g. to rerun one backend).
    let only = std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_default();
    if only.is_empty() || only.contains("sqlite") {
        bench_backend(c, "sqlite", None);
    }
    if !only.is_empty() && !only.contains("postgres") {
        return;
    }
    if let Ok(url) = std::env::var("MOTCUA_TEST_POSTGRES_URL") {
        bench_backend(c, "postgres", Some(url));
    }
}

criterion_group!(benches, indices);
criterion_main!(benches);
