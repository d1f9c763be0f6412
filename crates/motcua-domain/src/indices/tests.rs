//! Figures checked against values worked out by hand (in the comments).

use super::*;
use crate::calendar::vietnam_tz;

/// 2026-`month`-`day` at `hour`:00 in Vietnam, in microseconds.
fn at(month: i8, day: i8, hour: i8) -> i64 {
    jiff::civil::date(2026, month, day)
        .at(hour, 0, 0, 0)
        .to_zoned(vietnam_tz())
        .map(|z| z.timestamp().as_microsecond())
        .unwrap_or_default()
}

fn ev(kind: &str, to: &str, at: i64) -> IndexEvent {
    IndexEvent {
        at,
        kind: kind.into(),
        to_state: to.into(),
        due_at: None,
        score: None,
    }
}

fn receive(at: i64, due: i64) -> IndexEvent {
    IndexEvent {
        due_at: Some(due),
        ..ev("receive", "received", at)
    }
}

fn rate(at: i64, score: i64) -> IndexEvent {
    IndexEvent {
        score: Some(score),
        ..ev("rate", "returned", at)
    }
}

fn basics(channel: i64, mode: &str) -> Basics {
    Basics {
        channel,
        filing_mode: mode.into(),
        ..Default::default()
    }
}

/// The fixed dossiers; see each one's comment.
fn dossiers() -> Vec<IndexFacts> {
    let on = |b: Basics, f: fn(&mut Basics)| {
        let mut b = b;
        f(&mut b);
        b
    };
    vec![
        // D1 online, self-filed, fee paid online, digitised, result kept in the store, identity
        // from the registry; received 2 Nov, due 6 Nov, approved 5 Nov (on time), rated 3.
        IndexFacts::derive(
            on(basics(2, "self"), |b| {
                b.has_fee = true;
                b.synced = true;
                b.paid_online = true;
                b.digitised = true;
                b.result_to_store = true;
                b.population_registry = true;
            }),
            &[
                ev("created", "draft", at(11, 1, 20)),
                ev("submit", "submitted", at(11, 1, 21)),
                receive(at(11, 2, 9), at(11, 6, 17)),
                ev("approve", "result_ready", at(11, 5, 10)),
                ev("return_result", "returned", at(11, 6, 9)),
                rate(at(11, 6, 10), 3),
            ],
        ),
        // D2 online, assisted, fee paid in person; due 9 Nov, approved 10 Nov (late); rated 1.
        IndexFacts::derive(
            on(basics(2, "assisted"), |b| {
                b.has_fee = true;
                b.synced = true;
                b.population_registry = true;
            }),
            &[
                receive(at(11, 3, 9), at(11, 9, 17)),
                ev("approve", "result_ready", at(11, 10, 9)),
                rate(at(11, 11, 9), 1),
            ],
        ),
        // D3 in person at the desk, no fee, not synced; received 20 Nov, due 4 Dec: open at the
        // period's end and not yet late.
        IndexFacts::derive(
            basics(1, "counter"),
            &[receive(at(11, 20, 9), at(12, 4, 17))],
        ),
        // D4 online, self-filed, reused data, a complaint; received 10 Nov, due 17 Nov; a
        // supplement asked on 12 Nov ends it (on time) while the applicant has it.
        IndexFacts::derive(
            on(basics(2, "self"), |b| {
                b.synced = true;
                b.reused_data = true;
                b.complained = true;
            }),
            &[
                receive(at(11, 10, 9), at(11, 17, 17)),
                ev(
                    "request_supplement_in_appraisal",
                    "supplement_requested",
                    at(11, 12, 9),
                ),
            ],
        ),
        // D5 received 20 Oct (before the period), due 3 Nov, still open: overdue at the end.
        IndexFacts::derive(
            on(basics(2, "self"), |b| b.has_fee = true),
            &[receive(at(10, 20, 9), at(11, 3, 17))],
        ),
        // D6 refused at intake: never received, counts nowhere.
        IndexFacts::derive(
            basics(2, "self"),
            &[
                ev("submit", "submitted", at(11, 2, 9)),
                ev("refuse", "refused", at(11, 3, 9)),
            ],
        ),
        // D7 received 1 Oct, due 8 Oct, approved 7 Oct: ended before the period.
        IndexFacts::derive(
            basics(2, "self"),
            &[
                receive(at(10, 1, 9), at(10, 8, 17)),
                ev("approve", "result_ready", at(10, 7, 9)),
            ],
        ),
        // D8 online, self, fee paid online, digitised; two supplement requests, so overdue
        // whatever the dates: its due becomes just before its first receipt (4 Nov); approved
        // 13 Nov, late.
        IndexFacts::derive(
            on(basics(2, "self"), |b| {
                b.has_fee = true;
                b.paid_online = true;
                b.synced = true;
                b.digitised = true;
            }),
            &[
                receive(at(11, 4, 9), at(11, 11, 17)),
                ev(
                    "request_supplement_in_appraisal",
                    "supplement_requested",
                    at(11, 5, 9),
                ),
                receive(at(11, 8, 9), at(11, 15, 17)),
                ev(
                    "request_supplement_in_appraisal",
                    "supplement_requested",
                    at(11, 9, 9),
                ),
                receive(at(11, 12, 9), at(11, 19, 17)),
                ev("approve", "result_ready", at(11, 13, 9)),
            ],
        ),
    ]
}

fn inputs(period: Period) -> Inputs {
    // Four communes, one offering certified copies online.
    let mut i = Inputs {
        feedback_due: 2,
        feedback_on_time: 1,
        feedback_rated: 2,
        feedback_satisfied: 1,
        communes: 4,
        communes_certifying: 1,
        ..Default::default()
    };
    for f in dossiers() {
        for (day, c) in f.contributions() {
            if day <= period.last_day() {
                i.to_end.add(&c);
                if day >= period.first_day() {
                    i.period.add(&c);
                }
            }
        }
    }
    let p = |online, fee, full, registry, online_dossiers, paid| ProcedureFigures {
        offered_online: online,
        has_fee: fee,
        published_in_full: full,
        registry_connected: registry,
        online_dossiers,
        paid_online: paid,
        published_on_time: None,
        entered_on_time: None,
    };
    // P1 (D1, D2, D8 online in November; D1, D8 paid online), P2 (D4), P3 offline with a fee.
    // Publication decisions: P1 signed early enough and entered in time; P3 signed late but
    // entered in time; P2's decision is not recorded.
    i.procedures = vec![
        ProcedureFigures {
            published_on_time: Some(true),
            entered_on_time: Some(true),
            ..p(true, true, true, true, 3, 2)
        },
        p(true, false, false, false, 1, 0),
        ProcedureFigures {
            published_on_time: Some(false),
            entered_on_time: Some(true),
            ..p(false, true, true, false, 0, 0)
        },
    ];
    i
}

fn find<'a>(r: &'a Report, key: &str) -> &'a Indicator {
    r.groups
        .iter()
        .flat_map(|g| &g.indicators)
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn counters_of_november_by_hand() {
    let i = inputs(Period::parse("2026-11").unwrap());
    let p = &i.period;
    // Received in November: D1 D2 D3 D4 D8; online all but D3; self D1 D4 D8, assisted D2.
    assert_eq!(
        (p.received, p.online, p.self_filed, p.assisted),
        (5, 4, 3, 1)
    );
    // Synced D1 D2 D4 D8; fee D1 D2 D8, paid online D1 D8; results D1 D2 D8; ended D1 D2 D4 D8.
    assert_eq!(
        (
            p.synced,
            p.with_fee,
            p.paid_online,
            p.electronic_result,
            p.resolved
        ),
        (4, 3, 2, 3, 4)
    );
    // Digitised D1 D8; store D1; registry D1 D2; reused D4; rated D1 D2; unhappy D2 (1), D4 (complaint).
    assert_eq!(
        (
            p.digitised,
            p.result_to_store,
            p.population_registry,
            p.reused_data,
            p.rated,
            p.disliked,
            p.complained_or_disliked
        ),
        (2, 1, 2, 1, 2, 1, 2)
    );
    // Ended in November: D1 (on time), D2 (late), D4 (on time), D8 (late).
    assert_eq!((p.ended, p.ended_on_time, p.ended_late), (4, 2, 2));
    // Up to 30 Nov: received 7 (all but D6), ended 5 (D1 D2 D4 D7 D8) → open 2 (D3, D5);
    // due by then 6 (all but D3), by their due D1 D4 D7, late D2 D8 → overdue open 1 (D5).
    assert_eq!(i.open_at_end(), (2, 1));
    assert_eq!(i.progress(), (3, 6));
}

#[test]
fn every_indicator_of_november_by_hand() {
    let r = inputs(Period::parse("2026-11").unwrap()).report();
    let check = |key: &str, percent: Option<f64>, points: Option<f64>| {
        let i = find(&r, key);
        assert_eq!((i.percent, i.points), (percent, points), "{key}");
    };
    check("published_on_time", Some(50.0), Some(3.0)); // P1 of P1 P3, of 6
    check("catalog_updated_on_time", Some(100.0), Some(4.0)); // P1 P3 of P1 P3, of 4
    check("published_in_full", Some(66.67), Some(1.33)); // 2/3 of 2 points
    check("synced", Some(80.0), Some(4.8)); // 4/5 of 6
    check("on_time", Some(50.0), Some(10.0)); // 3/6 of 20
    check("procedures_online", Some(66.67), Some(1.67)); // 2/3 ÷ 80% of 2
    check("online_services_used", Some(100.0), Some(4.0)); // P1 P2 of P1 P2
    check("online_filing_synced", Some(64.0), Some(6.0)); // 4/5 × 4/5 = 64% ≥ 50%
    check("electronic_result", Some(75.0), Some(4.5)); // 3/4 of 6
    check("digitised", Some(40.0), Some(2.0)); // 2/5 ÷ 80% of 4
    check("certified_copies", Some(25.0), Some(0.5)); // 1 of 4 communes, of 2
    check("reused_data", Some(20.0), Some(0.4)); // 1/5 of 2
    check("result_to_store", Some(33.33), Some(1.33)); // 1/3 of 4
    check("population_registry", Some(40.0), Some(0.8)); // 2/5 of 2
    check("registry_connected", Some(33.33), Some(0.67)); // 1/3 of 2
    check("fee_procedures_online", Some(50.0), Some(1.0)); // P1 of P1 P3
    check("fee_procedures_paid", Some(50.0), Some(1.0)); // P1 of P1 P3
    check("paid_online", Some(66.67), Some(4.0)); // 2/3 of 6
    check("feedback_on_time", Some(50.0), Some(3.0)); // 1/2 of 6
    check("feedback_satisfaction", Some(50.0), Some(3.0)); // 1 of 2 rated answers, of 6
    // 100% − (late 3/6 + unhappy 2/5) = 10%, ÷ 90% of 6 = 0.67.
    check("handling_satisfaction", Some(10.0), Some(0.67));
    let groups: Vec<f64> = r.groups.iter().map(|g| g.points).collect();
    // Transparency 3 + 4 + 1.33 + 4.8; digitisation 4.5 + 2 + 0.5 + 0.4 + 1.33 + 0.8 + 0.67.
    assert_eq!(groups, vec![13.13, 10.0, 11.67, 10.2, 6.0, 6.67]);
    // 57.67 of 100 → D.
    assert_eq!(
        (r.points, r.measured_max, r.score, r.grade),
        (57.67, 100.0, Some(57.67), Some('D'))
    );
    let rates: Vec<(&str, Option<f64>)> = r.rates.iter().map(|x| (x.key, x.percent)).collect();
    assert_eq!(
        rates,
        vec![
            ("on_time", Some(50.0)),
            ("online", Some(80.0)),
            ("in_person", Some(20.0)),
            ("self_filed", Some(75.0)),
            ("assisted", Some(25.0)),
            ("synced", Some(80.0)),
        ]
    );
}

#[test]
fn october_sees_its_own_dossiers() {
    let i = inputs(Period::parse("2026-10").unwrap());
    // Received D5 D7; D7 ended on time 7 Oct; D5 open and not due until 3 Nov.
    assert_eq!(
        (i.period.received, i.period.ended, i.period.ended_on_time),
        (2, 1, 1)
    );
    assert_eq!(i.open_at_end(), (1, 0));
    assert_eq!(i.progress(), (2, 2));
}

#[test]
fn nothing_to_count_is_not_applicable() {
    let r = Inputs::default().report();
    assert!(
        r.groups
            .iter()
            .flat_map(|g| &g.indicators)
            .all(|i| i.points.is_none() && i.percent.is_none())
    );
    assert_eq!((r.score, r.grade), (None, None));
    // A catalog alone scores its own indicators but gives no score: no dossier was judged.
    let only_catalog = Inputs {
        procedures: inputs(Period::parse("2026-11").unwrap()).procedures,
        ..Default::default()
    };
    let r = only_catalog.report();
    assert_eq!(find(&r, "published_in_full").percent, Some(66.67));
    assert_eq!((r.score, r.grade), (None, None));
}

#[test]
fn a_change_of_facts_moves_only_its_difference() {
    let before = IndexFacts::derive(basics(2, "self"), &[receive(at(11, 2, 9), at(11, 6, 17))]);
    let after = IndexFacts::derive(
        basics(2, "self"),
        &[
            receive(at(11, 2, 9), at(11, 6, 17)),
            ev("approve", "result_ready", at(11, 9, 9)),
        ],
    );
    let d = facts::delta(&before, &after);
    // The ending adds a late end on 9 Nov; the cohort gains a result and a resolution.
    assert!(d.contains(&(
        20261109,
        Counters {
            ended: 1,
            ended_late: 1,
            ..Default::default()
        }
    )));
    assert!(d.contains(&(
        20261102,
        Counters {
            electronic_result: 1,
            resolved: 1,
            ..Default::default()
        }
    )));
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(facts::delta(&after, &after).is_empty());
}

#[test]
fn periods_read_as_written() {
    let p = Period::parse("2026-Q4").unwrap();
    assert_eq!((p.first_day(), p.last_day()), (20261001, 20261231));
    assert_eq!(Period::parse("2026").unwrap().last_day(), 20261231);
    assert_eq!(Period::parse("2026-02").unwrap().last_day(), 20260228);
    assert_eq!(
        Period::parse("2026-01-15..2026-02-10").unwrap().first_day(),
        20260115
    );
    for bad in ["2026-13", "2026-Q5", "x", "2026-03-01..2026-02-01", ""] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
    let months = Period::months_back(jiff::civil::date(2026, 2, 10), 3);
    assert_eq!(
        months.iter().map(Period::first_day).collect::<Vec<_>>(),
        vec![20251201, 20260101, 20260201]
    );
}

#[test]
fn grade_bands() {
    assert_eq!(
        [95.0, 90.0, 89.99, 80.0, 65.0, 64.99, 50.0, 49.99].map(grade),
        ['A', 'A', 'B', 'B', 'C', 'D', 'D', 'E']
    );
}
