//! The working-day calendar that every deadline goes through. Instants are UTC; working days are
//! civil dates in Vietnam (UTC+7, no daylight saving).
//!
//! Days off are those of the Labour Code 2019 (art. 112), Tết and the Hùng Kings' day computed from
//! the Vietnamese lunar calendar, with the substitute day of art. 111(3); an administrator's
//! yearly overrides (the Prime Minister's decisions: extra days off, Saturdays worked in exchange)
//! are applied on top.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{self, TimeZone};

use crate::lunar;

/// Vietnam's civil time zone. A fixed offset is exact: Vietnam has no daylight saving.
pub fn vietnam_tz() -> TimeZone {
    TimeZone::fixed(tz::offset(7))
}

/// The civil date in Vietnam of an instant.
pub fn local_date(at: Timestamp) -> Date {
    at.to_zoned(vietnam_tz()).date()
}

/// The first instant of a civil day in Vietnam.
pub fn start_of_day(date: Date) -> Timestamp {
    date.to_zoned(vietnam_tz())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A named day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// What an administrator enters for a year from the Prime Minister's decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Extra days off (e.g. the day before Tết when the decision moves the Tết break).
    pub days_off: Vec<Holiday>,
    /// Days that are working days whatever the default says (a Saturday worked in exchange, or a
    /// default substitute day the decision cancels).
    pub working_days: Vec<Holiday>,
}

/// Working hours of a day, in local time (configurable per agency; this is the common practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    pub morning: (Time, Time),
    pub afternoon: (Time, Time),
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            morning: (Time::constant(7, 0, 0, 0), Time::constant(11, 30, 0, 0)),
            afternoon: (Time::constant(13, 30, 0, 0), Time::constant(17, 0, 0, 0)),
        }
    }
}

impl WorkingHours {
    fn periods(&self) -> [(Time, Time); 2] {
        [self.morning, self.afternoon]
    }

    /// Minutes of work in a working day (8 hours by default).
    pub fn day_minutes(&self) -> i64 {
        self.periods()
            .iter()
            .map(|(a, b)| minutes_between(*a, *b))
            .sum()
    }
}

fn minutes_between(a: Time, b: Time) -> i64 {
    (i64::from(b.hour()) * 60 + i64::from(b.minute()))
        - (i64::from(a.hour()) * 60 + i64::from(a.minute()))
}

/// Years for which the default calendar computes days off.
pub const FIRST_YEAR: i16 = 1900;
pub const LAST_YEAR: i16 = 2100;

/// A working-day calendar with its cut-off and working hours.
#[derive(Debug, Clone)]
pub struct Calendar {
    days_off: BTreeMap<Date, String>,
    working: BTreeSet<Date>,
    /// What arrives after this local time is handled from the next working day (Decree 61/2018
    /// art. 18; configurable, default 15:00).
    pub cutoff: Time,
    pub hours: WorkingHours,
}

/// The Labour Code's days off for one year, before substitutes (art. 112(1)).
pub fn statutory_holidays(year: i16) -> Vec<Holiday> {
    let mut out = Vec::new();
    let mut add = |date: Option<Date>, name: &str| {
        if let Some(date) = date {
            out.push(Holiday {
                date,
                name: name.to_string(),
            });
        }
    };
    add(Date::new(year, 1, 1).ok(), "Tết Dương lịch");
    // Tết: the last day of the old lunar year and the first four days of the new one.
    if let Some(tet) = lunar::tet(year) {
        add(
            tet.yesterday().ok(),
            "Tết Nguyên đán (ngày cuối năm âm lịch)",
        );
        for i in 0..4 {
            let day = tet.checked_add(jiff::Span::new().days(i)).ok();
            add(day, &format!("Tết Nguyên đán (mùng {})", i + 1));
        }
    }
    add(lunar::hung_kings(year), "Giỗ Tổ Hùng Vương (10/3 âm lịch)");
    add(Date::new(year, 4, 30).ok(), "Ngày Chiến thắng");
    add(Date::new(year, 5, 1).ok(), "Ngày Quốc tế Lao động");
    add(Date::new(year, 9, 2).ok(), "Quốc khánh");
    // "2 September and one day next to it": 3 September unless a decision says 1 September.
    add(Date::new(year, 9, 3).ok(), "Quốc khánh (ngày liền kề)");
    if year >= 2026 {
        // Vietnamese Culture Day, from 2026-07-01 (DOMAIN.md, marked "check").
        add(Date::new(year, 11, 24).ok(), "Ngày Văn hóa Việt Nam");
    }
    out.sort_by_key(|h| h.date);
    out
}

/// The due instant set when a dossier is received at `now`. `remaining_minutes` is the working
/// time that was left when appraisal asked for a supplement, if it did; with
/// [`SupplementClock::Pause`] the clock resumes from there, otherwise the legal time starts anew.
pub fn due_on_receipt(
    calendar: &Calendar,
    clock: crate::procedure::SupplementClock,
    now: Timestamp,
    legal_working_days: f64,
    remaining_minutes: Option<i64>,
) -> Timestamp {
    match (clock, remaining_minutes) {
        (crate::procedure::SupplementClock::Pause, Some(left)) => {
            calendar.add_working_minutes(now, left)
        }
        _ => calendar.due_at(now, legal_working_days),
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::vietnam(&Overrides::default())
    }
}

impl Calendar {
    /// Vietnam's calendar for 1900–2100 with the given overrides.
    pub fn vietnam(overrides: &Overrides) -> Self {
        let mut days_off = BTreeMap::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            for h in statutory_holidays(year) {
                days_off.entry(h.date).or_insert(h.name);
            }
        }
        // Art. 111(3): a holiday on a weekly rest day gives the next working day off.
        let on_weekends: Vec<(Date, String)> = days_off
            .iter()
            .filter(|(d, _)| is_weekend(**d))
            .map(|(d, n)| (*d, n.clone()))
            .collect();
        for (date, name) in on_weekends {
            let mut next = date;
            while let Ok(n) = next.tomorrow() {
                next = n;
                if !is_weekend(next) && !days_off.contains_key(&next) {
                    days_off.insert(next, format!("Nghỉ bù {name}"));
                    break;
                }
            }
        }
        for h in &overrides.days_off {
            days_off.insert(h.date, h.name.clone());
        }
        let working = overrides.working_days.iter().map(|h| h.date).collect();
        Calendar {
            days_off,
            working,
            cutoff: Time::constant(15, 0, 0, 0),
            hours: WorkingHours::default(),
        }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        self.working.contains(&d) || (!is_weekend(d) && !self.days_off.contains_key(&d))
    }

    /// The named days off of a year (weekends not listed unless they carry a name).
    pub fn days_off_in(&self, year: i16) -> Vec<Holiday> {
        self.days_off
            .iter()
            .filter(|(d, _)| d.year() == year && !self.working.contains(d))
            .map(|(d, n)| Holiday {
                date: *d,
                name: n.clone(),
            })
            .collect()
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: Date) -> Date {
        let mut next = d;
        while let Ok(n) = next.tomorrow() {
            next = n;
            if self.is_working_day(next) {
                return next;
            }
        }
        next
    }

    fn local(&self, date: Date, time: Time) -> Timestamp {
        DateTime::from_parts(date, time)
            .to_zoned(vietnam_tz())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// When handling of something that arrives at `at` starts: the same moment during working
    /// hours before the cut-off; otherwise the next opening time (Decree 61/2018 art. 18: after
    /// the cut-off, from the next working day).
    pub fn handling_start(&self, at: Timestamp) -> Timestamp {
        let local = at.to_zoned(vietnam_tz());
        let (date, time) = (local.date(), local.time());
        let (open, _) = self.hours.morning;
        if self.is_working_day(date) && time < self.cutoff {
            if time < open {
                return self.local(date, open);
            }
            for (start, end) in self.hours.periods() {
                if time < start {
                    return self.local(date, start);
                }
                if time < end {
                    return at;
                }
            }
        }
        self.local(self.next_working_day(date), open)
    }

    /// Working days that have begun after the local day of `since`, up to and including the local
    /// day of `now` (0 on the day itself).
    pub fn working_days_between(&self, since: Timestamp, now: Timestamp) -> u32 {
        let (mut day, end) = (local_date(since), local_date(now));
        let mut n = 0;
        while day < end {
            day = self.next_working_day(day);
            if day <= end {
                n += 1;
            }
        }
        n
    }

    /// The due instant for `working_days` of legal time (halves allowed) from a receipt at `at`,
    /// counted in working hours from the handling start (one day = one working day's hours).
    /// Zero means the same working day: due at its close.
    pub fn due_at(&self, at: Timestamp, working_days: f64) -> Timestamp {
        let start = self.handling_start(at);
        if working_days <= 0.0 {
            let (_, close) = self.hours.afternoon;
            return self.local(local_date(start), close);
        }
        let minutes = (working_days * self.hours.day_minutes() as f64).round() as i64;
        self.add_working_minutes(start, minutes)
    }

    /// The instant `minutes` of working time after `start` (counted from the handling start).
    pub fn add_working_minutes(&self, start: Timestamp, minutes: i64) -> Timestamp {
        let start = self.handling_start(start);
        let start_local = start.to_zoned(vietnam_tz());
        let mut date = start_local.date();
        let mut remaining = minutes.max(0);
        let mut from = start_local.time();
        loop {
            for (a, b) in self.hours.periods() {
                let begin = if from > a { from } else { a };
                if begin >= b {
                    continue;
                }
                let available = minutes_between(begin, b);
                if remaining <= available {
                    let t = begin
                        .checked_add(jiff::Span::new().minutes(remaining))
                        .unwrap_or(b);
                    return self.local(date, t);
                }
                remaining -= available;
            }
            date = self.next_working_day(date);
            from = Time::midnight();
        }
    }

    /// Working minutes from `a` to `b` (0 when `b` is not later): how much legal time was left.
    pub fn working_minutes_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        let (a, b) = (a.to_zoned(vietnam_tz()), b.to_zoned(vietnam_tz()));
        let mut date = a.date();
        let mut total = 0;
        while date <= b.date() {
            if self.is_working_day(date) {
                for (start, end) in self.hours.periods() {
                    let lo = if date == a.date() && a.time() > start {
                        a.time()
                    } else {
                        start
                    };
                    let hi = if date == b.date() && b.time() < end {
                        b.time()
                    } else {
                        end
                    };
                    if hi > lo {
                        total += minutes_between(lo, hi);
                    }
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }
    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn tet_2026_and_national_day_are_days_off() {
        let cal = Calendar::default();
        // Tết 2026 (17 Feb): 16–20 Feb off, as the 2026 decision also says.
        for day in 16..=20 {
            assert!(
                !cal.is_working_day(Date::new(2026, 2, day).unwrap()),
                "Feb {day}"
            );
        }
        assert!(cal.is_working_day(d("2026-02-23")));
        assert!(!cal.is_working_day(d("2026-09-02")));
        assert!(!cal.is_working_day(d("2026-11-24")));
        assert!(
            !cal.is_working_day(d("2026-04-26")),
            "Hùng Kings' day 2026 is a Sunday"
        );
        assert!(
            !cal.is_working_day(d("2026-04-27")),
            "… so Monday is the substitute"
        );
    }

    #[test]
    fn holiday_on_a_weekend_gives_a_substitute_day() {
        let cal = Calendar::default();
        // 2027-05-01 is a Saturday; 30 April is Friday (off), so Monday 3 May is off.
        assert!(!cal.is_working_day(d("2027-05-03")));
        assert!(cal.is_working_day(d("2027-05-04")));
        let named = cal.days_off_in(2027);
        assert!(
            named
                .iter()
                .any(|h| h.date == d("2027-05-03") && h.name.starts_with("Nghỉ bù"))
        );
    }

    #[test]
    fn decisions_override_the_defaults() {
        // Tết 2025 (29 Jan): the decision gave 27–31 Jan off and no substitute for 1 Feb (Sat).
        let overrides = Overrides {
            days_off: vec![Holiday {
                date: d("2025-01-27"),
                name: "Nghỉ Tết theo quyết định".into(),
            }],
            working_days: vec![Holiday {
                date: d("2025-02-03"),
                name: "Đi làm".into(),
            }],
        };
        let default = Calendar::default();
        let decided = Calendar::vietnam(&overrides);
        assert!(default.is_working_day(d("2025-01-27")));
        assert!(!default.is_working_day(d("2025-02-03")));
        for day in 27..=31 {
            assert!(!decided.is_working_day(Date::new(2025, 1, day).unwrap()));
        }
        assert!(decided.is_working_day(d("2025-02-03")));
    }

    #[test]
    fn deadlines_count_working_hours_from_the_handling_start() {
        let cal = Calendar::default();
        // Monday 2026-11-16 09:00 local = 02:00 UTC. Same-day procedure: due 17:00 that day.
        assert_eq!(
            cal.due_at(ts("2026-11-16T02:00:00Z"), 0.0),
            ts("2026-11-16T10:00:00Z")
        );
        // 15:30 local Monday: after the cut-off, counted from Tuesday 07:00.
        assert_eq!(
            cal.due_at(ts("2026-11-16T08:30:00Z"), 0.0),
            ts("2026-11-17T10:00:00Z")
        );
        assert_eq!(
            cal.handling_start(ts("2026-11-16T08:30:00Z")),
            ts("2026-11-17T00:00:00Z")
        );
        // One day from Monday 09:00 is Tuesday 09:00; half a day is Monday 15:00 (lunch skipped).
        assert_eq!(
            cal.due_at(ts("2026-11-16T02:00:00Z"), 1.0),
            ts("2026-11-17T02:00:00Z")
        );
        assert_eq!(
            cal.due_at(ts("2026-11-16T02:00:00Z"), 0.5),
            ts("2026-11-16T08:00:00Z")
        );
        // Friday 2026-11-20 10:00, 3 days: Fri 5 h, Mon 23 8 h, Tue 24 off, Wed 25 8 h, Thu 3 h.
        assert_eq!(
            cal.due_at(ts("2026-11-20T03:00:00Z"), 3.0),
            ts("2026-11-26T03:00:00Z")
        );
        // Saturday receipt: counted from Monday's opening; one day ends at Monday's close, two
        // days skip the Tuesday holiday and end at Wednesday's close.
        assert_eq!(
            cal.due_at(ts("2026-11-21T03:00:00Z"), 1.0),
            ts("2026-11-23T10:00:00Z")
        );
        assert_eq!(
            cal.due_at(ts("2026-11-21T03:00:00Z"), 2.0),
            ts("2026-11-25T10:00:00Z")
        );
    }

    #[test]
    fn working_minutes_measure_what_is_left_and_add_back() {
        let cal = Calendar::default();
        // Monday 09:00 → Tuesday 09:00 local is one working day (8 h = 480 min).
        assert_eq!(
            cal.working_minutes_between(ts("2026-11-16T02:00:00Z"), ts("2026-11-17T02:00:00Z")),
            480
        );
        // Friday 16:00 → Monday 08:00: 1 h Friday + 1 h Monday.
        assert_eq!(
            cal.working_minutes_between(ts("2026-11-20T09:00:00Z"), ts("2026-11-23T01:00:00Z")),
            120
        );
        assert_eq!(
            cal.working_minutes_between(ts("2026-11-23T01:00:00Z"), ts("2026-11-20T09:00:00Z")),
            0
        );
        // Adding back what was measured lands on the same instant.
        let a = ts("2026-11-20T03:00:00Z");
        let due = cal.due_at(a, 3.0);
        assert_eq!(
            cal.add_working_minutes(a, cal.working_minutes_between(a, due)),
            due
        );
    }

    #[test]
    fn a_supplement_restarts_or_pauses_the_clock_as_configured() {
        use crate::procedure::SupplementClock;
        let cal = Calendar::default();
        // Received Monday 16 Nov 09:00 with 5 days: due Monday 23 Nov 09:00.
        let received = ts("2026-11-16T02:00:00Z");
        let first_due = cal.due_at(received, 5.0);
        assert_eq!(first_due, ts("2026-11-23T02:00:00Z"));
        // Supplement asked Wednesday 18 Nov 09:00 (3 days left); complete again Monday 23 Nov 09:00.
        let asked = ts("2026-11-18T02:00:00Z");
        let left = cal.working_minutes_between(asked, first_due);
        assert_eq!(left, 3 * 480);
        let back = ts("2026-11-23T02:00:00Z");
        // Restart: 5 full days from Monday 23 (Tue 24 is off) → Tuesday 1 Dec 09:00.
        assert_eq!(
            due_on_receipt(&cal, SupplementClock::Restart, back, 5.0, Some(left)),
            ts("2026-12-01T02:00:00Z")
        );
        // Pause: the 3 days left → Mon 23 09:00 + 3 working days (Tue 24 off) = Friday 27 09:00.
        assert_eq!(
            due_on_receipt(&cal, SupplementClock::Pause, back, 5.0, Some(left)),
            ts("2026-11-27T02:00:00Z")
        );
        // No supplement during appraisal: both start the legal time.
        assert_eq!(
            due_on_receipt(&cal, SupplementClock::Pause, back, 5.0, None),
            cal.due_at(back, 5.0)
        );
    }

    #[test]
    fn working_days_between_skips_days_off() {
        let cal = Calendar::default();
        // Received Friday 20 Nov; Mon 23 is day 1, Tue 24 is off, Wed 25 is day 2.
        let received = ts("2026-11-20T03:00:00Z");
        assert_eq!(
            cal.working_days_between(received, ts("2026-11-20T09:00:00Z")),
            0
        );
        assert_eq!(
            cal.working_days_between(received, ts("2026-11-24T03:00:00Z")),
            1
        );
        assert_eq!(
            cal.working_days_between(received, ts("2026-11-25T03:00:00Z")),
            2
        );
        assert_eq!(
            cal.working_days_between(received, ts("2026-11-27T03:00:00Z")),
            4
        );
    }

    #[test]
    fn every_year_from_1900_to_2100_has_its_holidays() {
        let cal = Calendar::default();
        for year in [1900, 1985, 2000, 2050, 2100] {
            let off = cal.days_off_in(year);
            assert!(
                off.iter()
                    .filter(|h| h.name.starts_with("Tết Nguyên đán"))
                    .count()
                    >= 4,
                "{year}"
            );
            assert!(off.iter().any(|h| h.name.starts_with("Giỗ Tổ")), "{year}");
        }
    }
}
