//! How pressing a dossier is for the officials handling it: what a work list sorts by and
//! shows in words (not colour alone).

use jiff::Timestamp;
use serde::Serialize;

use crate::DossierState;
use crate::calendar::{self, Calendar};

/// Working days before the due date within which a dossier is "due soon" (the apology must go
/// out at least a day before the due date).
pub const DUE_SOON_WORKING_DAYS: u32 = 2;

/// Most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    DueToday,
    DueSoon,
    OnTime,
    /// Waiting for the applicant (supplement, payment): the agency's clock does not run.
    Paused,
    /// Nothing runs against a deadline (not received yet, or done).
    NoDeadline,
}

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Overdue => "Quá hạn",
            Urgency::DueToday => "Đến hạn hôm nay",
            Urgency::DueSoon => "Sắp đến hạn",
            Urgency::OnTime => "Trong hạn",
            Urgency::Paused => "Tạm dừng – chờ người nộp",
            Urgency::NoDeadline => "Chưa tính hạn",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueToday => "due_today",
            Urgency::DueSoon => "due_soon",
            Urgency::OnTime => "on_time",
            Urgency::Paused => "paused",
            Urgency::NoDeadline => "no_deadline",
        }
    }

    pub fn parse(s: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == s)
    }

    pub const ALL: [Urgency; 6] = [
        Urgency::Overdue,
        Urgency::DueToday,
        Urgency::DueSoon,
        Urgency::OnTime,
        Urgency::Paused,
        Urgency::NoDeadline,
    ];
}

/// The urgency of a dossier in `state`, due at `due`, seen at `now`.
pub fn urgency(
    cal: &Calendar,
    state: DossierState,
    due: Option<Timestamp>,
    now: Timestamp,
) -> Urgency {
    if matches!(
        state,
        DossierState::SupplementRequested | DossierState::AwaitingPayment
    ) {
        return Urgency::Paused;
    }
    let Some(due) = due.filter(|_| state.is_running()) else {
        return Urgency::NoDeadline;
    };
    if due < now {
        Urgency::Overdue
    } else if calendar::local_date(due) == calendar::local_date(now) {
        Urgency::DueToday
    } else if cal.working_days_between(now, due) <= DUE_SOON_WORKING_DAYS {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

/// Where a running deadline changes urgency, seen at `now`: dues before `now` are overdue,
/// before `today_ends` due today, before `soon_ends` due soon, later on time. A store can then
/// count and filter a work list by ranges of the due instant instead of line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub now: Timestamp,
    pub today_ends: Timestamp,
    pub soon_ends: Timestamp,
}

/// The [`Bounds`] that [`urgency`] draws at `now` (it depends on the due's date only, after
/// today).
pub fn bounds(cal: &Calendar, now: Timestamp) -> Bounds {
    let today = calendar::local_date(now);
    let tomorrow = today.tomorrow().unwrap_or(today);
    let mut day = tomorrow;
    // Two working days ahead is at most a few weeks of holidays away; stop in any case.
    for _ in 0..400 {
        if cal.working_days_between(now, calendar::start_of_day(day)) > DUE_SOON_WORKING_DAYS {
            break;
        }
        day = day.tomorrow().unwrap_or(day);
    }
    Bounds {
        now,
        today_ends: calendar::start_of_day(tomorrow),
        soon_ends: calendar::start_of_day(day),
    }
}

impl Bounds {
    /// The urgency of a running, unpaused deadline `due`: the same as [`urgency`] gives.
    pub fn of(&self, due: Timestamp) -> Urgency {
        if due < self.now {
            Urgency::Overdue
        } else if due < self.today_ends {
            Urgency::DueToday
        } else if due < self.soon_ends {
            Urgency::DueSoon
        } else {
            Urgency::OnTime
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn urgency_follows_the_due_date_in_working_days() {
        let cal = Calendar::default();
        // Monday 30 Nov 2026, 09:00 in Vietnam.
        let now = at("2026-11-30T02:00:00Z");
        let s = DossierState::Received;
        assert_eq!(
            urgency(&cal, s, Some(at("2026-11-30T01:00:00Z")), now),
            Urgency::Overdue
        );
        assert_eq!(
            urgency(&cal, s, Some(at("2026-11-30T09:00:00Z")), now),
            Urgency::DueToday
        );
        assert_eq!(
            urgency(&cal, s, Some(at("2026-12-02T09:00:00Z")), now),
            Urgency::DueSoon
        );
        assert_eq!(
            urgency(&cal, s, Some(at("2026-12-10T09:00:00Z")), now),
            Urgency::OnTime
        );
        // The clock is the applicant's while they supplement; nothing runs before receipt.
        let due = Some(at("2026-11-30T01:00:00Z"));
        assert_eq!(
            urgency(&cal, DossierState::SupplementRequested, due, now),
            Urgency::Paused
        );
        assert_eq!(
            urgency(&cal, DossierState::Submitted, None, now),
            Urgency::NoDeadline
        );
        assert_eq!(
            urgency(&cal, DossierState::Returned, due, now),
            Urgency::NoDeadline
        );
        assert!(Urgency::Overdue < Urgency::DueToday && Urgency::OnTime < Urgency::NoDeadline);
        assert_eq!(Urgency::parse("due_soon"), Some(Urgency::DueSoon));
    }

    #[test]
    fn bounds_draw_the_same_urgency_as_the_dossier_by_dossier_rule() {
        // A holiday on Wednesday pushes "due soon" a day further.
        let cal = Calendar::vietnam(&calendar::Overrides {
            days_off: vec![calendar::Holiday {
                date: jiff::civil::date(2026, 12, 2),
                name: "Nghỉ thử".into(),
            }],
            working_days: Vec::new(),
        });
        for now in [
            at("2026-11-30T02:00:00Z"), // Monday morning
            at("2026-12-04T16:59:59Z"), // Friday, a second before midnight in Vietnam
            at("2026-12-05T03:00:00Z"), // Saturday
        ] {
            let b = bounds(&cal, now);
            let mut due = now
                .checked_sub(jiff::SignedDuration::from_hours(30))
                .unwrap();
            let end = now
                .checked_add(jiff::SignedDuration::from_hours(24 * 20))
                .unwrap();
            while due < end {
                assert_eq!(
                    b.of(due),
                    urgency(&cal, DossierState::Received, Some(due), now),
                    "now {now}, due {due}"
                );
                due = due
                    .checked_add(jiff::SignedDuration::from_mins(37))
                    .unwrap();
            }
        }
    }
}
