//! Formatting for people: Vietnamese dates in UTC+7, money in đồng, sizes.

use jiff::Timestamp;
use motcua_app::domain::calendar::vietnam_tz;

/// `23/11/2026 14:05` in Vietnam's time.
pub fn when(at: &Timestamp) -> String {
    at.to_zoned(vietnam_tz())
        .strftime("%d/%m/%Y %H:%M")
        .to_string()
}

pub fn when_opt(at: &Option<Timestamp>) -> String {
    at.as_ref().map(when).unwrap_or_else(|| "—".to_string())
}

/// A figure with a decimal comma (`66,67`), or `N/A` when there was nothing to count.
pub fn figure(x: &Option<f64>) -> String {
    match x {
        Some(v) => format!("{v:.2}").replace('.', ","),
        None => "N/A".to_string(),
    }
}

/// A known figure with a decimal comma.
pub fn number(x: &f64) -> String {
    figure(&Some(*x))
}

/// `200.000 đồng`, or `Không thu phí` for zero.
pub fn vnd(amount: i64) -> String {
    if amount == 0 {
        return "Không thu phí".to_string();
    }
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{out} đồng")
}

/// A fee line: a reduction shows with a minus sign.
pub fn vnd_signed(amount: &i64) -> String {
    if *amount < 0 {
        format!("−{}", vnd(-amount))
    } else {
        vnd(*amount)
    }
}

/// The fee line of a procedure: the online fee when it differs.
pub fn fee_line(fee: i64, online_fee: i64) -> String {
    if fee != online_fee {
        format!("{} (nộp trực tuyến: {})", vnd(fee), vnd(online_fee))
    } else {
        vnd(fee)
    }
}

pub fn size(bytes: &i64) -> String {
    let b = *bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (b / 1024.0).max(1.0))
    }
}

pub fn rating(score: &i64) -> &'static str {
    match *score {
        3 => "Rất hài lòng",
        2 => "Hài lòng",
        _ => "Không hài lòng",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_dates_read_the_vietnamese_way() {
        assert_eq!(vnd(200000), "200.000 đồng");
        assert_eq!(vnd(8000), "8.000 đồng");
        assert_eq!(vnd(0), "Không thu phí");
        assert_eq!(
            fee_line(20000, 10000),
            "20.000 đồng (nộp trực tuyến: 10.000 đồng)"
        );
        let t: Timestamp = "2026-11-23T07:05:00Z".parse().unwrap();
        assert_eq!(when(&t), "23/11/2026 14:05");
        assert_eq!(when_opt(&None), "—");
    }
}
