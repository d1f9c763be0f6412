//! What one dossier contributes to the Decision 766 figures, folded from its events. The same
//! fold feeds the live aggregates (after every event, in its transaction) and a full rebuild
//! from the event log, so the two can be compared.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;

/// Facts about a dossier that no event carries: its channel and what other tables hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basics {
    /// National channel code: 1 in person, 2 online, 3 postal.
    pub channel: i64,
    /// `FilingMode` as text (`self`, `assisted`, `counter`, `national_portal`).
    pub filing_mode: String,
    /// The procedure charges a fee or charge.
    pub has_fee: bool,
    /// Every message to the national portal about this dossier was delivered.
    pub synced: bool,
    /// At least one payment was made online (gateway or VietQR) and settled.
    pub paid_online: bool,
    /// Components and a result are attached as files.
    pub digitised: bool,
    /// The result was put into the applicant's personal document store.
    pub result_to_store: bool,
    /// The applicant's identity was prefilled from the population registry.
    pub population_registry: bool,
    /// A component was fetched from a registry or the document store instead of asked again.
    pub reused_data: bool,
    /// A complaint (feedback) was filed on the dossier.
    pub complained: bool,
}

/// One event, as much of it as the figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEvent {
    /// Microseconds since the Unix epoch.
    pub at: i64,
    /// The action's name (`receive`, `approve`, ...) or `created`.
    pub kind: String,
    pub to_state: String,
    /// A due date the event set (receipt, apology), microseconds.
    pub due_at: Option<i64>,
    /// The score of a rating (1 not satisfied .. 3 very satisfied).
    pub score: Option<i64>,
}

/// Facts of one dossier for the figures; a pure function of its basics and its events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexFacts {
    pub basics: Basics,
    /// First receipt (a dossier refused at intake or withdrawn before receipt has none).
    pub received_at: Option<i64>,
    /// The due date that judges it; already without the applicant's supplement time (a
    /// receipt after a supplement sets a new one). Before the due: one microsecond before
    /// receipt when more than one supplement was requested (766 counts it overdue).
    pub due_at: Option<i64>,
    /// End of processing as 766 counts it (processed > returned > stopped, refused, withdrawn;
    /// a supplement request during appraisal ends it until the dossier comes back).
    pub ended_at: Option<i64>,
    pub supplement_requests: i64,
    /// Approved with a signed electronic result.
    pub electronic_result: bool,
    pub score: Option<i64>,
}

/// Actions that end processing for the index (when the dossier was received).
const ENDING: [&str; 6] = [
    "approve",
    "return_result",
    "stop_processing",
    "refuse",
    "withdraw",
    "request_supplement_in_appraisal",
];

impl IndexFacts {
    /// Folds a dossier's events, oldest first.
    pub fn derive(basics: Basics, events: &[IndexEvent]) -> IndexFacts {
        let mut f = IndexFacts {
            basics,
            ..Default::default()
        };
        let mut legal_due = None;
        for e in events {
            match e.kind.as_str() {
                "request_supplement" | "request_supplement_in_appraisal" => {
                    f.supplement_requests += 1
                }
                "approve" => f.electronic_result = true,
                "rate" => f.score = e.score.or(f.score),
                _ => {}
            }
            if e.to_state == "received" && e.due_at.is_some() {
                f.received_at = f.received_at.or(Some(e.at));
                legal_due = e.due_at;
                // Back after a supplement: processing runs again.
                f.ended_at = None;
            }
            if e.kind == "apologize" {
                legal_due = e.due_at.or(legal_due);
            }
            if f.received_at.is_some() && f.ended_at.is_none() && ENDING.contains(&e.kind.as_str())
            {
                f.ended_at = Some(e.at);
            }
        }
        f.due_at = match (f.received_at, legal_due) {
            (Some(r), _) if f.supplement_requests > 1 => Some(r - 1),
            (Some(r), due) => Some(due.unwrap_or(r)),
            (None, _) => None,
        };
        f
    }

    /// On time: ended at or before its due date.
    pub fn on_time(&self) -> Option<bool> {
        Some(self.ended_at? <= self.due_at?)
    }

    /// The rows of the daily aggregate this dossier adds to: the receipt-day cohort, the
    /// day processing ended and the due day.
    pub fn contributions(&self) -> Vec<(i64, Counters)> {
        let Some(received) = self.received_at else {
            return Vec::new();
        };
        let b = &self.basics;
        let online = b.channel == 2;
        let cohort = Counters {
            received: 1,
            online: i64::from(online),
            self_filed: i64::from(online && b.filing_mode == "self"),
            assisted: i64::from(online && b.filing_mode == "assisted"),
            synced: i64::from(b.synced),
            with_fee: i64::from(b.has_fee),
            paid_online: i64::from(b.has_fee && b.paid_online),
            electronic_result: i64::from(self.electronic_result),
            digitised: i64::from(b.digitised),
            result_to_store: i64::from(self.electronic_result && b.result_to_store),
            population_registry: i64::from(b.population_registry),
            reused_data: i64::from(b.reused_data),
            rated: i64::from(self.score.is_some()),
            disliked: i64::from(self.score == Some(1)),
            complained_or_disliked: i64::from(b.complained || self.score == Some(1)),
            resolved: i64::from(self.ended_at.is_some()),
            ..Default::default()
        };
        let mut rows = vec![(day_number(received), cohort)];
        let due = self.due_at.unwrap_or(received);
        let mut due_row = Counters {
            due_total: 1,
            ..Default::default()
        };
        if let Some(ended) = self.ended_at {
            let on_time = ended <= due;
            rows.push((
                day_number(ended),
                Counters {
                    ended: 1,
                    ended_on_time: i64::from(on_time),
                    ended_late: i64::from(!on_time),
                    ..Default::default()
                },
            ));
            due_row.ended_by_due = i64::from(on_time);
        }
        rows.push((day_number(due), due_row));
        rows
    }
}

/// The civil day in Vietnam of an instant (microseconds) as `yyyymmdd`.
pub fn day_number(at_micros: i64) -> i64 {
    let at = Timestamp::from_microsecond(at_micros).unwrap_or(Timestamp::UNIX_EPOCH);
    super::period::day_of(local_date(at))
}

/// Sums over dossiers, one field per column of the daily aggregate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    // Cohort of the receipt day.
    pub received: i64,
    pub online: i64,
    pub self_filed: i64,
    pub assisted: i64,
    pub synced: i64,
    pub with_fee: i64,
    pub paid_online: i64,
    pub electronic_result: i64,
    pub digitised: i64,
    pub result_to_store: i64,
    pub population_registry: i64,
    pub reused_data: i64,
    pub rated: i64,
    pub disliked: i64,
    pub complained_or_disliked: i64,
    /// Processing has ended (judged at the time of the figures).
    pub resolved: i64,
    // Day processing ended.
    pub ended: i64,
    pub ended_on_time: i64,
    pub ended_late: i64,
    // Due day.
    pub due_total: i64,
    /// Ended at or before the due date, counted on the due day.
    pub ended_by_due: i64,
}

macro_rules! counter_columns {
    ($($name:ident),*) => {
        impl Counters {
            /// Column names, in the order of [`Counters::values`].
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$name),*]
            }

            /// The counters from values in the order of [`Counters::COLUMNS`].
            pub fn from_values(v: &[i64]) -> Counters {
                let mut it = v.iter().copied();
                Counters { $($name: it.next().unwrap_or(0)),* }
            }

            pub fn add(&mut self, other: &Counters) {
                $(self.$name += other.$name;)*
            }

            pub fn minus(&self, other: &Counters) -> Counters {
                Counters { $($name: self.$name - other.$name),* }
            }

            pub fn is_zero(&self) -> bool {
                true $(&& self.$name == 0)*
            }
        }
    };
}

counter_columns!(
    received,
    online,
    self_filed,
    assisted,
    synced,
    with_fee,
    paid_online,
    electronic_result,
    digitised,
    result_to_store,
    population_registry,
    reused_data,
    rated,
    disliked,
    complained_or_disliked,
    resolved,
    ended,
    ended_on_time,
    ended_late,
    due_total,
    ended_by_due
);

/// What changes in the daily rows when a dossier's facts go from `old` to `new`: only the
/// non-zero differences, one per day.
pub fn delta(old: &IndexFacts, new: &IndexFacts) -> Vec<(i64, Counters)> {
    let mut days: Vec<(i64, Counters)> = Vec::new();
    let mut put = |day: i64, c: Counters, sign: i64| {
        let c = if sign < 0 {
            Counters::default().minus(&c)
        } else {
            c
        };
        match days.iter_mut().find(|(d, _)| *d == day) {
            Some((_, acc)) => acc.add(&c),
            None => days.push((day, c)),
        }
    };
    for (day, c) in old.contributions() {
        put(day, c, -1);
    }
    for (day, c) in new.contributions() {
        put(day, c, 1);
    }
    days.retain(|(_, c)| !c.is_zero());
    days
}
