//! Periods the figures are asked for: a month (`2026-11`), a quarter (`2026-Q4`), a year
//! (`2026`) or any range of civil days (`2026-01-15..2026-02-10`).

use jiff::ToSpan;
use jiff::civil::Date;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("Kỳ không hợp lệ: {0} (dùng 2026, 2026-Q4, 2026-11 hoặc 2026-01-15..2026-02-10)")]
pub struct BadPeriod(pub String);

/// Civil days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// A civil day as `yyyymmdd`, so that days sort and compare as numbers.
pub fn day_of(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The civil day of a `yyyymmdd` number, clamped into the calendar (0 is 0001-01-01).
pub fn date_of(day: i64) -> Date {
    let (y, m, d) = (
        (day / 10_000).clamp(1, 9999) as i16,
        ((day / 100) % 100).clamp(1, 12) as i8,
        (day % 100).clamp(1, 31) as i8,
    );
    Date::new(y, m, d)
        .or_else(|_| Date::new(y, m, 1).map(|first| first.last_of_month()))
        .unwrap_or(Date::MIN)
}

impl Period {
    pub fn range(from: Date, to: Date) -> Result<Period, BadPeriod> {
        if to < from {
            return Err(BadPeriod(format!("{from}..{to}")));
        }
        Ok(Period { from, to })
    }

    pub fn month(year: i16, month: i8) -> Result<Period, BadPeriod> {
        let bad = || BadPeriod(format!("{year}-{month}"));
        let from = Date::new(year, month, 1).map_err(|_| bad())?;
        Ok(Period {
            from,
            to: from.last_of_month(),
        })
    }

    pub fn parse(text: &str) -> Result<Period, BadPeriod> {
        let t = text.trim();
        let bad = || BadPeriod(t.to_string());
        if let Some((a, b)) = t.split_once("..") {
            let from: Date = a.trim().parse().map_err(|_| bad())?;
            let to: Date = b.trim().parse().map_err(|_| bad())?;
            return Period::range(from, to).map_err(|_| bad());
        }
        if let Some((y, q)) = t.split_once("-Q").or_else(|| t.split_once("-q")) {
            let year: i16 = y.parse().map_err(|_| bad())?;
            let q: i8 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            let from = Date::new(year, (q - 1) * 3 + 1, 1).map_err(|_| bad())?;
            let to = Date::new(year, q * 3, 1)
                .map_err(|_| bad())?
                .last_of_month();
            return Ok(Period { from, to });
        }
        if let Some((y, m)) = t.split_once('-') {
            let year: i16 = y.parse().map_err(|_| bad())?;
            let month: i8 = m.parse().map_err(|_| bad())?;
            return Period::month(year, month).map_err(|_| bad());
        }
        let year: i16 = t.parse().map_err(|_| bad())?;
        let from = Date::new(year, 1, 1).map_err(|_| bad())?;
        Ok(Period {
            from,
            to: Date::new(year, 12, 31).map_err(|_| bad())?,
        })
    }

    /// First day as `yyyymmdd`.
    pub fn first_day(&self) -> i64 {
        day_of(self.from)
    }

    /// Last day as `yyyymmdd`.
    pub fn last_day(&self) -> i64 {
        day_of(self.to)
    }

    /// `from..to`, the form [`Period::parse`] reads back.
    pub fn label(&self) -> String {
        format!("{}..{}", self.from, self.to)
    }

    /// The `n` calendar months ending with the one holding `to`, oldest first (trend charts).
    pub fn months_back(to: Date, n: usize) -> Vec<Period> {
        let last = to.first_of_month();
        (0..n)
            .rev()
            .filter_map(|i| {
                let from = last.checked_sub((i as i64).months()).ok()?;
                Some(Period {
                    from,
                    to: from.last_of_month(),
                })
            })
            .collect()
    }
}
