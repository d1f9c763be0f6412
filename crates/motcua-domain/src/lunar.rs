//! The Vietnamese lunisolar calendar, computed (not tabulated) with Hồ Ngọc Đức's published
//! algorithm after Jean Meeus and Reingold & Dershowitz: new moons and solar terms from
//! astronomical series, with Vietnam's time zone (UTC+7). The result differs from the Chinese
//! calendar (UTC+8) in some years, e.g. Tết 1985 was 21 January in Vietnam, 20 February in China.
//! Valid at least for 1900–2100.

use std::f64::consts::PI;

use jiff::civil::Date;

/// Vietnam's offset from UTC in hours, the one the lunar calendar is computed for.
const TIME_ZONE: f64 = 7.0;

/// A date in the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub day: u8,
    pub month: u8,
    pub year: i32,
    /// A leap (intercalary) month (tháng nhuận).
    pub leap: bool,
}

impl std::fmt::Display for LunarDate {
    /// `D/M/YYYY`, followed by ` nhuận` in a leap month.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.day, self.month, self.year)?;
        if self.leap {
            f.write_str(" nhuận")?;
        }
        Ok(())
    }
}

fn int(x: f64) -> i64 {
    x.floor() as i64
}

/// Julian day number of a proleptic Gregorian (or, before 1582-10-15, Julian) date.
fn jd_from_date(dd: i64, mm: i64, yy: i64) -> i64 {
    let a = (14 - mm).div_euclid(12);
    let y = yy + 4800 - a;
    let m = mm + 12 * a - 3;
    let jd = dd + (153 * m + 2).div_euclid(5) + 365 * y + y.div_euclid(4) - y.div_euclid(100)
        + y.div_euclid(400)
        - 32045;
    if jd < 2_299_161 {
        dd + (153 * m + 2).div_euclid(5) + 365 * y + y.div_euclid(4) - 32083
    } else {
        jd
    }
}

fn jd_to_date(jd: i64) -> (i64, i64, i64) {
    let (b, c) = if jd > 2_299_160 {
        let a = jd + 32044;
        let b = (4 * a + 3).div_euclid(146_097);
        (b, a - (b * 146_097).div_euclid(4))
    } else {
        (0, jd + 32082)
    };
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = b * 100 + d - 4800 + m.div_euclid(10);
    (day, month, year)
}

/// Julian day (fractional, UTC) of the k-th new moon after 1900-01-01 (Meeus, ch. 49).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
    jd1 += 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * dr).sin();
    let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
    let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
    let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
    let mut c1 = (0.1734 - 0.000393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    } else {
        -0.000278 + 0.000265 * t + 0.000262 * t2
    };
    jd1 + c1 - deltat
}

/// The sun's apparent longitude, in radians in [0, 2π), at Julian day `jdn` (UTC).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2451545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
    let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
    let mut dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * (dr * m).sin();
    dl += (0.019993 - 0.000101 * t) * (dr * 2.0 * m).sin() + 0.000290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Which of the 12 major solar terms (0–11) holds at the start of local day `day_number`.
fn sun_longitude_sector(day_number: i64) -> i64 {
    int(sun_longitude(day_number as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0)
}

/// The local day number on which the k-th new moon falls.
fn new_moon_day(k: i64) -> i64 {
    int(new_moon(k) + 0.5 + TIME_ZONE / 24.0)
}

/// The day number on which the 11th lunar month (the one with the winter solstice) of the lunar
/// year ending in solar year `yy` begins.
fn lunar_month_11(yy: i64) -> i64 {
    let off = jd_from_date(31, 12, yy) - 2_415_021;
    let k = int(off as f64 / 29.530588853);
    let nm = new_moon_day(k);
    if sun_longitude_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// Index (counted from month 11) of the leap month in a 13-month year starting at `a11`.
fn leap_month_offset(a11: i64) -> i64 {
    let k = int((a11 as f64 - 2415021.076998695) / 29.530588853 + 0.5);
    let mut i = 1;
    let mut arc = sun_longitude_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_longitude_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The lunar date of a solar date.
pub fn solar_to_lunar(date: Date) -> LunarDate {
    let yy = i64::from(date.year());
    let day_number = jd_from_date(i64::from(date.day()), i64::from(date.month()), yy);
    // The latest new moon on or before the day. The mean-lunation estimate of k can be one off
    // where the true new moon strays far from the mean (e.g. 2054-05-07), so settle it exactly.
    let mut k = int((day_number as f64 - 2415021.076998695) / 29.530588853);
    while new_moon_day(k + 1) <= day_number {
        k += 1;
    }
    while new_moon_day(k) > day_number {
        k -= 1;
    }
    let month_start = new_moon_day(k);
    let mut a11 = lunar_month_11(yy);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = lunar_month_11(yy - 1);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month_11(yy + 1);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        day: lunar_day as u8,
        month: lunar_month as u8,
        year: lunar_year as i32,
        leap,
    }
}

/// The solar date of a lunar date; `None` if it does not exist (a leap month that year lacks,
/// or a day out of range).
pub fn lunar_to_solar(lunar: LunarDate) -> Option<Date> {
    let (day, month, year) = (
        i64::from(lunar.day),
        i64::from(lunar.month),
        i64::from(lunar.year),
    );
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1), lunar_month_11(year))
    } else {
        (lunar_month_11(year), lunar_month_11(year + 1))
    };
    let k = int(0.5 + (a11 as f64 - 2415021.076998695) / 29.530588853);
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && month != leap_month {
            return None;
        } else if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    let month_start = new_moon_day(k + off);
    let (d, m, y) = jd_to_date(month_start + day - 1);
    let solar = Date::new(y as i16, m as i8, d as i8).ok()?;
    // Day 30 of a 29-day month lands in the next month: that date does not exist.
    (solar_to_lunar(solar) == lunar).then_some(solar)
}

/// Solar date of Tết (1st day of the 1st lunar month) of lunar year `year`.
pub fn tet(year: i16) -> Option<Date> {
    lunar_to_solar(LunarDate {
        day: 1,
        month: 1,
        year: i32::from(year),
        leap: false,
    })
}

/// Solar date of the Hùng Kings' commemoration (10th day of the 3rd lunar month).
pub fn hung_kings(year: i16) -> Option<Date> {
    lunar_to_solar(LunarDate {
        day: 10,
        month: 3,
        year: i32::from(year),
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn matches_the_2010_2029_table() {
        let raw = include_str!("../../../data/lunar-dates-2010-2029.json");
        let table: serde_json::Value = serde_json::from_str(raw).unwrap();
        let rows = table["dates"].as_array().unwrap();
        assert_eq!(rows.len(), 20);
        for row in rows {
            let year = row["year"].as_i64().unwrap() as i16;
            assert_eq!(
                tet(year).unwrap().to_string(),
                row["tet"].as_str().unwrap(),
                "Tết {year}"
            );
            assert_eq!(
                hung_kings(year).unwrap().to_string(),
                row["hung_kings"].as_str().unwrap(),
                "Hùng {year}"
            );
        }
    }

    #[test]
    fn known_historical_dates_including_where_vietnam_and_china_differ() {
        assert_eq!(
            tet(1985),
            Some(d("1985-01-21")),
            "Vietnam's Tết 1985 (China: 20 February)"
        );
        assert_eq!(
            tet(2007),
            Some(d("2007-02-17")),
            "Vietnam's Tết 2007 (China: 18 February)"
        );
        assert_eq!(tet(1968), Some(d("1968-01-29")), "Tết Mậu Thân");
        assert_eq!(tet(1900), Some(d("1900-01-31")));
        assert_eq!(tet(2100), Some(d("2100-02-09")));
    }

    #[test]
    fn leap_months_and_display() {
        // 2023 had a leap 2nd month: 22 March 2023 was 1/2 nhuận.
        let l = solar_to_lunar(d("2023-03-22"));
        assert_eq!(
            l,
            LunarDate {
                day: 1,
                month: 2,
                year: 2023,
                leap: true
            }
        );
        assert_eq!(l.to_string(), "1/2/2023 nhuận");
        assert_eq!(lunar_to_solar(l), Some(d("2023-03-22")));
        assert_eq!(solar_to_lunar(d("2026-11-23")).to_string(), "15/10/2026");
        // No leap 2nd month in 2024.
        assert_eq!(
            lunar_to_solar(LunarDate {
                day: 1,
                month: 2,
                year: 2024,
                leap: true
            }),
            None
        );
    }

    #[test]
    fn solar_to_lunar_and_back_round_trips_1900_to_2100() {
        let mut day = d("1900-02-01");
        let end = d("2100-12-31");
        while day <= end {
            let l = solar_to_lunar(day);
            assert!(
                (1..=30).contains(&l.day) && (1..=12).contains(&l.month),
                "{day} → {l:?}"
            );
            assert_eq!(lunar_to_solar(l), Some(day), "{day} → {l}");
            day = day.checked_add(jiff::Span::new().days(7)).unwrap();
        }
    }
}
