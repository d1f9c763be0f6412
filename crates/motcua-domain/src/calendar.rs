//! The working-day calendar that every deadline goes through. Instants are UTC; working days are
//! civil dates in Vietnam (UTC+7, no daylight saving).
//!
//! This first version knows weekends, the fixed solar holidays and Tết / Hùng Kings' day from the
//! 2010–2029 table (Labour Code 2019, art. 112), with the substitute day of art. 111(3). The
//! lifecycle issue replaces the table with the lunar computation and adds administrator overrides.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{self, TimeZone};

/// Vietnam's civil time zone. A fixed offset is exact: Vietnam has no daylight saving.
pub fn vietnam_tz() -> TimeZone {
    TimeZone::fixed(tz::offset(7))
}

/// The civil date in Vietnam of an instant.
pub fn local_date(at: Timestamp) -> Date {
    at.to_zoned(vietnam_tz()).date()
}

/// A working-day calendar with its cut-off and end-of-day times.
#[derive(Debug, Clone)]
pub struct Calendar {
    days_off: BTreeSet<Date>,
    /// What arrives after this local time is handled from the next working day (Decree 61/2018
    /// art. 18 practice; configurable, default 15:00).
    pub cutoff: Time,
    /// End of the working day: a due date is due at this local time.
    pub end_of_day: Time,
}

impl Calendar {
    /// Vietnam's default calendar: weekends and the Labour Code holidays.
    pub fn vietnam() -> Self {
        let mut days_off = BTreeSet::new();
        for (tet, hung) in lunar_table() {
            let year = tet.year();
            for (m, d) in [(1, 1), (4, 30), (5, 1), (9, 2), (9, 3)] {
                days_off.extend(Date::new(year, m, d).ok());
            }
            if year >= 2026 {
                // Vietnamese Culture Day, from 2026-07-01 (DOMAIN.md, marked "check").
                days_off.extend(Date::new(year, 11, 24).ok());
            }
            // Tết: the last day of the old year and the first four of the new one.
            for offset in -1..=3 {
                days_off.extend(tet.checked_add(jiff::Span::new().days(offset)).ok());
            }
            days_off.insert(hung);
        }
        // Art. 111(3): a holiday on a weekly rest day gives the next working day off.
        let on_weekends: Vec<Date> = days_off
            .iter()
            .copied()
            .filter(|d| is_weekend(*d))
            .collect();
        for d in on_weekends {
            let mut next = d;
            while let Ok(n) = next.tomorrow() {
                next = n;
                if !is_weekend(next) && !days_off.contains(&next) {
                    days_off.insert(next);
                    break;
                }
            }
        }
        Calendar {
            days_off,
            cutoff: Time::constant(15, 0, 0, 0),
            end_of_day: Time::constant(17, 0, 0, 0),
        }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !is_weekend(d) && !self.days_off.contains(&d)
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

    /// The working day on which a dossier received at `at` starts to be handled: the same day if
    /// it is a working day and before the cut-off, otherwise the next working day.
    pub fn handling_start(&self, at: Timestamp) -> Date {
        let local = at.to_zoned(vietnam_tz());
        let date = local.date();
        if self.is_working_day(date) && local.time() < self.cutoff {
            date
        } else {
            self.next_working_day(date)
        }
    }

    /// The due instant for `working_days` of legal time from a receipt at `at`: the end of the
    /// working day that many working days after the handling start (0 = the same working day).
    pub fn due_at(&self, at: Timestamp, working_days: u32) -> Timestamp {
        let mut day = self.handling_start(at);
        for _ in 0..working_days {
            day = self.next_working_day(day);
        }
        day.to_datetime(self.end_of_day)
            .to_zoned(vietnam_tz())
            .map(|z| z.timestamp())
            .unwrap_or(at)
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn lunar_table() -> Vec<(Date, Date)> {
    let raw = include_str!("../../../data/lunar-dates-2010-2029.json");
    let parsed: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
    parsed["dates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let tet = row["tet"].as_str()?.parse().ok()?;
            let hung = row["hung_kings"].as_str()?.parse().ok()?;
            Some((tet, hung))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn tet_2026_and_national_day_are_days_off() {
        let cal = Calendar::vietnam();
        // Tết 2026 (17 Feb): 16–20 Feb off.
        for d in 16..=20 {
            assert!(
                !cal.is_working_day(Date::new(2026, 2, d).unwrap()),
                "Feb {d}"
            );
        }
        assert!(cal.is_working_day(Date::new(2026, 2, 23).unwrap()));
        assert!(!cal.is_working_day(Date::new(2026, 9, 2).unwrap()));
        assert!(!cal.is_working_day(Date::new(2026, 11, 24).unwrap()));
    }

    #[test]
    fn holiday_on_a_weekend_gives_a_substitute_day() {
        let cal = Calendar::vietnam();
        // 2027-05-01 is a Saturday; 30 April is Friday (off), so Monday 3 May is off.
        assert!(!cal.is_working_day(Date::new(2027, 5, 3).unwrap()));
        assert!(cal.is_working_day(Date::new(2027, 5, 4).unwrap()));
    }

    #[test]
    fn receipt_after_cutoff_counts_from_next_working_day() {
        let cal = Calendar::vietnam();
        // Monday 2026-11-16 09:00 local = 02:00 UTC; same-day procedure due that day 17:00 local.
        assert_eq!(
            cal.due_at(ts("2026-11-16T02:00:00Z"), 0),
            ts("2026-11-16T10:00:00Z")
        );
        // 15:30 local Monday: handled from Tuesday.
        assert_eq!(
            cal.due_at(ts("2026-11-16T08:30:00Z"), 0),
            ts("2026-11-17T10:00:00Z")
        );
        // Friday 2026-11-20 10:00 local, 3 working days: Mon 23, (Tue 24 off), Wed 25, Thu 26.
        assert_eq!(
            cal.due_at(ts("2026-11-20T03:00:00Z"), 3),
            ts("2026-11-26T10:00:00Z")
        );
    }
}
