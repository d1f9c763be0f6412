//! The Decision 766 index (100 points in six groups, as the national portal scores it) and the
//! operational rates of the field reports, from summed counters. Each indicator carries its
//! formula; a zero denominator gives "N/A", never 0 or 100.

use serde::Serialize;

use super::facts::Counters;

/// What the figures of one scope (agency or all, procedure, field) and period are made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Counters summed over the period's days.
    pub period: Counters,
    /// Counters summed over every day up to the period's last: what was still open then.
    pub to_end: Counters,
    /// The procedures in scope, from the catalog and the period's counters.
    pub procedures: Vec<ProcedureFigures>,
    /// Feedback received in the period whose answer was due by its end, and those answered on
    /// time (15 working days).
    pub feedback_due: i64,
    pub feedback_on_time: i64,
    /// Answers to feedback of the period their authors rated, and those they were satisfied with.
    pub feedback_rated: i64,
    pub feedback_satisfied: i64,
    /// Communes in scope, and those offering certified electronic copies (chứng thực) online.
    pub communes: i64,
    pub communes_certifying: i64,
    /// For a period ending today: the dossiers open now and how many are past due now,
    /// instead of judging them at the end of the day.
    pub open_now: Option<(i64, i64)>,
}

/// One procedure of the scope, for the catalog-level indicators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFigures {
    pub offered_online: bool,
    pub has_fee: bool,
    /// Components, form, fees, time and result are all published.
    pub published_in_full: bool,
    /// Some component comes from a national registry.
    pub registry_connected: bool,
    /// Online dossiers received in the period.
    pub online_dossiers: i64,
    /// Dossiers paid online in the period.
    pub paid_online: i64,
    /// Its publication decision was signed early enough before the law took effect (`None`:
    /// no decision or effective date recorded).
    pub published_on_time: Option<bool>,
    /// It entered the database within the days allowed after the decision was signed.
    pub entered_on_time: Option<bool>,
}

/// One indicator: its formula, its parts and its points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub key: &'static str,
    pub name: &'static str,
    pub formula: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    /// Percent, 2 decimals; `None` is N/A (nothing to count).
    pub percent: Option<f64>,
    pub max_points: f64,
    pub points: Option<f64>,
}

/// One of the six groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: &'static str,
    pub name: &'static str,
    pub max_points: f64,
    /// Sum of the measured indicators' points.
    pub points: f64,
    pub indicators: Vec<Indicator>,
}

/// A rate of the field reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub key: &'static str,
    pub name: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    pub percent: Option<f64>,
}

/// All figures of one scope and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub groups: Vec<Group>,
    /// Points of the measured indicators.
    pub points: f64,
    /// The most the measured indicators can give.
    pub measured_max: f64,
    /// `points` out of 100 over the measured indicators; `None` when no dossier was received
    /// or judged in the period.
    pub score: Option<f64>,
    pub grade: Option<char>,
    pub rates: Vec<Rate>,
    /// Dossiers still open at the period's end, and how many of them are past due.
    pub open_at_end: i64,
    pub overdue_open_at_end: i64,
}

/// Rounds to 2 decimals, as the decision asks.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The ministry's grade bands: A 90–100, B 80–89, C 65–79, D 50–64, E below 50.
pub fn grade(score: f64) -> char {
    match score {
        s if s >= 90.0 => 'A',
        s if s >= 80.0 => 'B',
        s if s >= 65.0 => 'C',
        s if s >= 50.0 => 'D',
        _ => 'E',
    }
}

/// `n / d` in percent, 2 decimals; N/A (`None`) when `d` is 0.
pub fn percent(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| round2(100.0 * n as f64 / d as f64))
}

/// An indicator scored `max × min(1, ratio / full_at)`.
fn scored(
    key: &'static str,
    name: &'static str,
    formula: &'static str,
    (n, d): (i64, i64),
    max: f64,
    full_at: f64,
) -> Indicator {
    let ratio = (d > 0).then(|| n as f64 / d as f64);
    Indicator {
        key,
        name,
        formula,
        numerator: n,
        denominator: d,
        percent: ratio.map(|r| round2(100.0 * r)),
        max_points: max,
        points: ratio.map(|r| round2(max * (r / full_at).clamp(0.0, 1.0))),
    }
}

fn count<F: Fn(&ProcedureFigures) -> bool>(p: &[ProcedureFigures], f: F) -> i64 {
    p.iter().filter(|x| f(x)).count() as i64
}

impl Inputs {
    /// Dossiers still open at the period's end and how many of them were past due then:
    /// everything received minus everything ended, and everything due by then minus what
    /// ended by its due date minus what ended late by then.
    pub fn open_at_end(&self) -> (i64, i64) {
        if let Some(now) = self.open_now {
            return now;
        }
        let t = &self.to_end;
        let open = t.received - t.ended;
        let overdue = t.due_total - t.ended_by_due - t.ended_late;
        (open, overdue)
    }

    /// Progress: dossiers ended in the period plus those open at its end; on time are those
    /// that ended by their due date and the open ones not yet past it.
    pub fn progress(&self) -> (i64, i64) {
        let (open, overdue) = self.open_at_end();
        let p = &self.period;
        (p.ended_on_time + open - overdue, p.ended + open)
    }

    pub fn report(&self) -> Report {
        let p = &self.period;
        let procs = &self.procedures;
        let all = procs.len() as i64;
        let online_procs = count(procs, |x| x.offered_online);
        let fee_procs = count(procs, |x| x.has_fee);
        let (on_time, judged) = self.progress();
        let (open, overdue_open) = self.open_at_end();
        let mut online_sync = scored(
            "online_filing_synced",
            "Hồ sơ nộp trực tuyến trên tổng hồ sơ tiếp nhận, nhân tỷ lệ đồng bộ",
            "(trực tuyến / tiếp nhận) × (đồng bộ / tiếp nhận); đủ điểm từ 50%",
            (p.online, p.received),
            6.0,
            0.5,
        );
        if p.received > 0 {
            let r = (p.online as f64 / p.received as f64) * (p.synced as f64 / p.received as f64);
            online_sync.percent = Some(round2(100.0 * r));
            online_sync.points = Some(round2(6.0 * (r / 0.5).min(1.0)));
        }
        let late = p.ended_late + overdue_open;
        let unhappy = (judged > 0 && p.received > 0).then(|| {
            1.0 - (late as f64 / judged as f64
                + p.complained_or_disliked as f64 / p.received as f64)
        });
        let mut satisfaction = scored(
            "handling_satisfaction",
            "Mức độ hài lòng về giải quyết hồ sơ",
            "100% − (tỷ lệ trễ hạn + tỷ lệ hồ sơ bị phản ánh hoặc không hài lòng); đủ điểm từ 90%",
            (p.complained_or_disliked, p.received),
            6.0,
            0.9,
        );
        satisfaction.percent = unhappy.map(|v| round2(100.0 * v));
        satisfaction.points = unhappy.map(|v| round2(6.0 * (v / 0.9).clamp(0.0, 1.0)));
        let groups = vec![
            group(
                "transparency",
                "Công khai, minh bạch",
                18.0,
                vec![
                    scored(
                        "published_on_time",
                        "Công bố, công khai thủ tục đúng hạn",
                        "thủ tục có quyết định công bố ký trước ngày văn bản có hiệu lực ít nhất 20 ngày làm việc / thủ tục ghi nhận quyết định công bố và ngày hiệu lực",
                        (
                            count(procs, |x| x.published_on_time == Some(true)),
                            count(procs, |x| x.published_on_time.is_some()),
                        ),
                        6.0,
                        1.0,
                    ),
                    scored(
                        "catalog_updated_on_time",
                        "Cập nhật cơ sở dữ liệu thủ tục đúng hạn",
                        "thủ tục vào cơ sở dữ liệu trong 5 ngày làm việc từ ngày ký quyết định công bố / thủ tục ghi nhận quyết định công bố",
                        (
                            count(procs, |x| x.entered_on_time == Some(true)),
                            count(procs, |x| x.entered_on_time.is_some()),
                        ),
                        4.0,
                        1.0,
                    ),
                    scored(
                        "published_in_full",
                        "Công khai đầy đủ thành phần hồ sơ, phí, thời hạn",
                        "thủ tục công khai đầy đủ / thủ tục",
                        (count(procs, |x| x.published_in_full), all),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "synced",
                        "Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia",
                        "hồ sơ đã đồng bộ / hồ sơ tiếp nhận",
                        (p.synced, p.received),
                        6.0,
                        1.0,
                    ),
                ],
            ),
            group(
                "progress",
                "Tiến độ giải quyết",
                20.0,
                vec![scored(
                    "on_time",
                    "Hồ sơ giải quyết trước và đúng hạn",
                    "(đã xong đúng hạn + đang giải quyết chưa đến hạn) / (đã xong trong kỳ + còn mở cuối kỳ)",
                    (on_time, judged),
                    20.0,
                    1.0,
                )],
            ),
            group(
                "online_service",
                "Cung cấp dịch vụ trực tuyến",
                12.0,
                vec![
                    scored(
                        "procedures_online",
                        "Thủ tục cung cấp dịch vụ công trực tuyến",
                        "thủ tục trực tuyến / thủ tục; đủ điểm từ 80%",
                        (online_procs, all),
                        2.0,
                        0.8,
                    ),
                    scored(
                        "online_services_used",
                        "Dịch vụ trực tuyến có phát sinh hồ sơ",
                        "thủ tục trực tuyến có hồ sơ trực tuyến / thủ tục trực tuyến",
                        (
                            count(procs, |x| x.offered_online && x.online_dossiers > 0),
                            online_procs,
                        ),
                        4.0,
                        1.0,
                    ),
                    online_sync,
                ],
            ),
            group(
                "digitisation",
                "Số hóa hồ sơ",
                22.0,
                vec![
                    scored(
                        "electronic_result",
                        "Hồ sơ có kết quả điện tử",
                        "hồ sơ có kết quả điện tử / hồ sơ đã giải quyết",
                        (p.electronic_result, p.resolved),
                        6.0,
                        1.0,
                    ),
                    scored(
                        "digitised",
                        "Hồ sơ được số hóa thành phần và kết quả",
                        "hồ sơ số hóa / hồ sơ tiếp nhận; đủ điểm từ 80%",
                        (p.digitised, p.received),
                        4.0,
                        0.8,
                    ),
                    scored(
                        "certified_copies",
                        "Cấp bản sao điện tử có chứng thực (cấp xã)",
                        "xã, phường cung cấp trực tuyến thủ tục chứng thực / xã, phường",
                        (self.communes_certifying, self.communes),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "reused_data",
                        "Tái sử dụng dữ liệu đã số hóa",
                        "hồ sơ dùng lại dữ liệu / hồ sơ tiếp nhận",
                        (p.reused_data, p.received),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "result_to_store",
                        "Kết quả đưa vào kho dữ liệu cá nhân",
                        "kết quả vào kho / hồ sơ có kết quả điện tử",
                        (p.result_to_store, p.electronic_result),
                        4.0,
                        1.0,
                    ),
                    scored(
                        "population_registry",
                        "Hồ sơ sử dụng dữ liệu dân cư",
                        "hồ sơ lấy dữ liệu từ CSDL dân cư / hồ sơ tiếp nhận",
                        (p.population_registry, p.received),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "registry_connected",
                        "Thủ tục kết nối CSDL quốc gia",
                        "thủ tục có thành phần lấy từ CSDL / thủ tục",
                        (count(procs, |x| x.registry_connected), all),
                        2.0,
                        1.0,
                    ),
                ],
            ),
            group(
                "payment",
                "Thanh toán trực tuyến",
                10.0,
                vec![
                    scored(
                        "fee_procedures_online",
                        "Thủ tục có phí cho thanh toán trực tuyến",
                        "thủ tục có phí, trực tuyến / thủ tục có phí",
                        (count(procs, |x| x.has_fee && x.offered_online), fee_procs),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "fee_procedures_paid",
                        "Thủ tục có phát sinh thanh toán trực tuyến",
                        "thủ tục có thanh toán trực tuyến / thủ tục có phí",
                        (count(procs, |x| x.has_fee && x.paid_online > 0), fee_procs),
                        2.0,
                        1.0,
                    ),
                    scored(
                        "paid_online",
                        "Hồ sơ thanh toán trực tuyến",
                        "hồ sơ thanh toán trực tuyến / hồ sơ có phí",
                        (p.paid_online, p.with_fee),
                        6.0,
                        1.0,
                    ),
                ],
            ),
            group(
                "satisfaction",
                "Mức độ hài lòng",
                18.0,
                vec![
                    scored(
                        "feedback_on_time",
                        "Phản ánh, kiến nghị xử lý đúng hạn",
                        "phản ánh trả lời trong 15 ngày làm việc / phản ánh đến hạn trả lời",
                        (self.feedback_on_time, self.feedback_due),
                        6.0,
                        1.0,
                    ),
                    scored(
                        "feedback_satisfaction",
                        "Hài lòng về xử lý phản ánh, kiến nghị",
                        "câu trả lời được người phản ánh đánh giá hài lòng / câu trả lời được đánh giá",
                        (self.feedback_satisfied, self.feedback_rated),
                        6.0,
                        1.0,
                    ),
                    satisfaction,
                ],
            ),
        ];
        let points = round2(groups.iter().map(|g| g.points).sum());
        let measured_max: f64 = groups
            .iter()
            .flat_map(|g| &g.indicators)
            .filter(|i| i.points.is_some())
            .map(|i| i.max_points)
            .sum();
        // No dossier to judge in the period: no score, whatever the catalog gives.
        let judged_any = judged > 0 || p.received > 0;
        let score =
            (judged_any && measured_max > 0.0).then(|| round2(100.0 * points / measured_max));
        let rate = |key, name, n, d| Rate {
            key,
            name,
            numerator: n,
            denominator: d,
            percent: percent(n, d),
        };
        Report {
            groups,
            points,
            measured_max,
            score,
            grade: score.map(grade),
            rates: vec![
                rate("on_time", "Đúng hạn", on_time, judged),
                rate("online", "Nộp trực tuyến", p.online, p.received),
                rate(
                    "in_person",
                    "Nộp trực tiếp",
                    p.received - p.online,
                    p.received,
                ),
                rate(
                    "self_filed",
                    "Tự nộp trực tuyến (trên hồ sơ trực tuyến)",
                    p.self_filed,
                    p.online,
                ),
                rate(
                    "assisted",
                    "Được hỗ trợ nộp (trên hồ sơ trực tuyến)",
                    p.assisted,
                    p.online,
                ),
                rate("synced", "Đồng bộ Cổng quốc gia", p.synced, p.received),
            ],
            open_at_end: open,
            overdue_open_at_end: overdue_open,
        }
    }
}

fn group(key: &'static str, name: &'static str, max: f64, indicators: Vec<Indicator>) -> Group {
    let points = round2(indicators.iter().filter_map(|i| i.points).sum());
    Group {
        key,
        name,
        max_points: max,
        points,
        indicators,
    }
}
