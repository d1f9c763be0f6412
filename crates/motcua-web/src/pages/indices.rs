//! Decision 766 figures: the internal dashboard of an agency (or of the province), the public
//! transparency page of an agency, the public ranking; every table downloads as CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use motcua_app::domain::indices::Period;
use motcua_app::{AppError, Figures, IndexQuery, LoadView, MonthFigures, RankedAgency};
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::auth::{MaybeUser, PageUser};
use crate::chart::{self, Bar};
use crate::error::PageError;
use crate::export::{Cell, Format, Table};

/// Months of the trend charts.
const TREND_MONTHS: usize = 12;

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    pub period: Option<String>,
    pub agency: Option<String>,
    pub procedure: Option<String>,
    pub field: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// `name.ext` of a download link.
fn split_file(file: &str) -> Result<(&str, Format), PageError> {
    let (name, ext) = file.rsplit_once('.').ok_or(PageError(AppError::NotFound))?;
    Ok((
        name,
        Format::parse(ext).ok_or(PageError(AppError::NotFound))?,
    ))
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub fn indicators_table(f: &Figures) -> Table {
    let mut rows = Vec::new();
    for g in &f.report.groups {
        for i in &g.indicators {
            rows.push(vec![
                text(g.name),
                text(i.name),
                text(i.formula),
                Cell::Int(i.numerator),
                Cell::Int(i.denominator),
                Cell::Figure(i.percent),
                Cell::Figure(i.points),
                Cell::Figure(Some(i.max_points)),
            ]);
        }
    }
    rows.push(vec![
        text("Tổng"),
        text(match f.report.grade {
            Some(g) => format!(
                "Điểm quy về thang 100: {}, xếp loại {g}",
                crate::fmt::figure(&f.report.score)
            ),
            None => "Điểm quy về thang 100: N/A".to_string(),
        }),
        text("điểm các chỉ số đo được / điểm tối đa của chúng × 100"),
        text(""),
        text(""),
        Cell::Figure(f.report.score),
        Cell::Figure(Some(f.report.points)),
        Cell::Figure(Some(f.report.measured_max)),
    ]);
    Table {
        file: "chi-so-766".into(),
        title: format!("Chỉ số 766 · {} · {} đến {}", f.agency_name, f.from, f.to),
        headers: vec![
            "Nhóm",
            "Chỉ số",
            "Công thức",
            "Tử số",
            "Mẫu số",
            "Tỷ lệ (%)",
            "Điểm",
            "Điểm tối đa",
        ],
        rows,
    }
}

pub fn rates_table(f: &Figures) -> Table {
    Table {
        file: "ty-le".into(),
        title: format!(
            "Tỷ lệ vận hành · {} · {} đến {}",
            f.agency_name, f.from, f.to
        ),
        headers: vec!["Tỷ lệ", "Tử số", "Mẫu số", "Tỷ lệ (%)"],
        rows: f
            .report
            .rates
            .iter()
            .map(|r| {
                vec![
                    text(r.name),
                    Cell::Int(r.numerator),
                    Cell::Int(r.denominator),
                    Cell::Figure(r.percent),
                ]
            })
            .collect(),
    }
}

pub fn trend_table(name: &str, months: &[MonthFigures]) -> Table {
    Table {
        file: "xu-huong".into(),
        title: format!("Theo tháng · {name}"),
        headers: vec![
            "Tháng",
            "Tiếp nhận",
            "Đã giải quyết",
            "Đúng hạn (%)",
            "Trực tuyến (%)",
            "Tự nộp (%)",
        ],
        rows: months
            .iter()
            .map(|m| {
                vec![
                    text(m.month.clone()),
                    Cell::Int(m.received),
                    Cell::Int(m.ended),
                    Cell::Figure(m.on_time_percent),
                    Cell::Figure(m.online_percent),
                    Cell::Figure(m.self_filed_percent),
                ]
            })
            .collect(),
    }
}

pub fn ranking_table(period: &Period, rows: &[RankedAgency]) -> Table {
    Table {
        file: "xep-hang".into(),
        title: format!(
            "Xếp hạng cơ quan theo Bộ chỉ số 766 · {} đến {}",
            period.from, period.to
        ),
        headers: vec![
            "Hạng",
            "Cơ quan",
            "Mã định danh",
            "Điểm",
            "Xếp loại",
            "Hồ sơ tiếp nhận",
            "Đúng hạn (%)",
            "Trực tuyến (%)",
            "Đồng bộ (%)",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Int(r.rank as i64),
                    text(r.agency_name.clone()),
                    text(r.agency_code.clone()),
                    Cell::Figure(r.score),
                    text(r.grade.map(String::from).unwrap_or_else(|| "N/A".into())),
                    Cell::Int(r.received),
                    Cell::Figure(r.on_time_percent),
                    Cell::Figure(r.online_percent),
                    Cell::Figure(r.synced_percent),
                ]
            })
            .collect(),
    }
}

fn dossier_list_table(file: &str, title: String, lines: &[motcua_app::DossierLine]) -> Table {
    Table {
        file: file.into(),
        title,
        headers: vec!["Mã hồ sơ", "Thủ tục", "Trạng thái", "Hạn trả"],
        rows: lines
            .iter()
            .map(|d| {
                vec![
                    text(d.code.clone().unwrap_or_default()),
                    text(d.procedure_name.clone()),
                    text(d.state_label),
                    text(crate::fmt::when_opt(&d.due_at)),
                ]
            })
            .collect(),
    }
}

/// The two trend charts of a scope, each with the table of its numbers.
pub struct Trends {
    pub received_svg: String,
    pub received_table: Table,
    pub on_time_svg: String,
    pub on_time_table: Table,
}

fn trends(name: &str, months: &[MonthFigures]) -> Trends {
    let label = |m: &MonthFigures| m.month.get(5..).unwrap_or(&m.month).to_string();
    Trends {
        received_svg: chart::bars(
            &format!("Hồ sơ tiếp nhận theo tháng, {name}"),
            &months
                .iter()
                .map(|m| Bar {
                    label: label(m),
                    value: Some(m.received as f64),
                })
                .collect::<Vec<_>>(),
            None,
            "",
        ),
        on_time_svg: chart::bars(
            &format!("Tỷ lệ giải quyết đúng hạn theo tháng (%), {name}"),
            &months
                .iter()
                .map(|m| Bar {
                    label: label(m),
                    value: m.on_time_percent,
                })
                .collect::<Vec<_>>(),
            Some(100.0),
            "%",
        ),
        received_table: Table {
            file: "tiep-nhan".into(),
            title: String::new(),
            headers: vec!["Tháng", "Tiếp nhận"],
            rows: months
                .iter()
                .map(|m| vec![text(m.month.clone()), Cell::Int(m.received)])
                .collect(),
        },
        on_time_table: Table {
            file: "dung-han".into(),
            title: String::new(),
            headers: vec!["Tháng", "Đã giải quyết", "Đúng hạn (%)"],
            rows: months
                .iter()
                .map(|m| {
                    vec![
                        text(m.month.clone()),
                        Cell::Int(m.ended),
                        Cell::Figure(m.on_time_percent),
                    ]
                })
                .collect(),
        },
    }
}

/// What the figures pages share.
struct Scope {
    figures: Figures,
    trends: Trends,
}

async fn scope_of(s: &AppState, period: Period, q: IndexQuery) -> Result<Scope, PageError> {
    let figures = s.app.figures(&q, &period).await?;
    let months = s
        .app
        .monthly_trend(q.agency.as_deref(), period.to, TREND_MONTHS)
        .await?;
    let trends = trends(&figures.agency_name, &months);
    Ok(Scope { figures, trends })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    period_text: String,
    query: String,
    agency: Option<String>,
    agencies: Vec<(String, String)>,
    can_choose_agency: bool,
    procedure: String,
    field: String,
    procedures: Vec<(String, String)>,
    fields: Vec<String>,
    s: Scope,
    indicators: Table,
    rates: Table,
    load: Option<LoadView>,
}

/// The query string of the figures asked for, for the download links.
fn query_of(period: &Period, q: &IndexQuery) -> String {
    let mut out = format!("period={}", period.label());
    for (k, v) in [
        ("agency", &q.agency),
        ("procedure", &q.procedure),
        ("field", &q.field),
    ] {
        if let Some(v) = v {
            out.push_str(&format!("&{k}={}", v.replace(' ', "+")));
        }
    }
    out
}

struct Dashboard {
    period: Period,
    query: IndexQuery,
    load: Option<LoadView>,
}

async fn dashboard_of(
    s: &AppState,
    user: &motcua_app::CurrentUser,
    p: &IndexParams,
) -> Result<Dashboard, PageError> {
    let agency = s
        .app
        .dashboard_agency(user, nonempty(&p.agency).as_deref())?;
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let load = match agency.as_deref().and_then(|c| s.app.agency_id_of(c)) {
        Some(id) => Some(s.app.agency_load_of(user, &id).await?),
        None => None,
    };
    let query = IndexQuery {
        agency,
        procedure: nonempty(&p.procedure),
        field: nonempty(&p.field),
    };
    Ok(Dashboard {
        period,
        query,
        load,
    })
}

/// Leaders (their agency), supervisors and administrators (any agency, or all).
pub async fn dashboard(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let d = dashboard_of(&s, &user, &p).await?;
    let catalog = s.app.catalog();
    let can_choose_agency = user.agency_id.is_none();
    let query = query_of(&d.period, &d.query);
    let scope = scope_of(&s, d.period, d.query.clone()).await?;
    render(&DashboardPage {
        layout: Layout::new("Bảng điều khiển chỉ số phục vụ", Some(user)),
        period_text: p.period.clone().unwrap_or_default(),
        query,
        agency: d.query.agency.clone(),
        agencies: catalog
            .agencies()
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        can_choose_agency,
        procedure: d.query.procedure.clone().unwrap_or_default(),
        field: d.query.field.clone().unwrap_or_default(),
        procedures: catalog
            .procedures
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect(),
        fields: catalog.fields().to_vec(),
        indicators: indicators_table(&scope.figures),
        rates: rates_table(&scope.figures),
        s: scope,
        load: d.load,
    })
}

/// The dashboard's tables as downloads: chi-so-766, ty-le, xu-huong, qua-han, sap-den-han.
pub async fn dashboard_export(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(file): Path<String>,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let (name, format) = split_file(&file)?;
    let d = dashboard_of(&s, &user, &p).await?;
    let table = match (name, &d.load) {
        ("qua-han", Some(l)) => dossier_list_table(
            name,
            format!("Hồ sơ quá hạn · {}", l.agency_name),
            &l.overdue,
        ),
        ("sap-den-han", Some(l)) => dossier_list_table(
            name,
            format!("Hồ sơ sắp đến hạn · {}", l.agency_name),
            &l.due_soon,
        ),
        _ => figures_table(&s, name, d.period, d.query).await?,
    };
    table.download(format)
}

async fn figures_table(
    s: &AppState,
    name: &str,
    period: Period,
    q: IndexQuery,
) -> Result<Table, PageError> {
    // Only what the table needs: the figures, or the months.
    match name {
        "chi-so-766" => Ok(indicators_table(&s.app.figures(&q, &period).await?)),
        "ty-le" => Ok(rates_table(&s.app.figures(&q, &period).await?)),
        "xu-huong" => {
            let agency = q.agency.as_deref();
            let months = s.app.monthly_trend(agency, period.to, TREND_MONTHS).await?;
            Ok(trend_table(&s.app.scope_name(agency)?, &months))
        }
        _ => Err(PageError(AppError::NotFound)),
    }
}

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    layout: Layout,
    code: String,
    /// Where the downloads are.
    base: String,
    period_text: String,
    query: String,
    s: Scope,
    indicators: Table,
    rates: Table,
}

/// Anyone: an agency's figures, without any dossier or person.
pub async fn transparency(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let q = IndexQuery {
        agency: Some(code.clone()),
        ..Default::default()
    };
    let query = query_of(&period, &IndexQuery::default());
    let scope = scope_of(&s, period, q).await?;
    render(&TransparencyPage {
        layout: Layout::new(
            format!("Công khai chỉ số: {}", scope.figures.agency_name),
            user,
        ),
        base: format!("/transparency/{code}"),
        code,
        period_text: p.period.clone().unwrap_or_default(),
        query,
        indicators: indicators_table(&scope.figures),
        rates: rates_table(&scope.figures),
        s: scope,
    })
}

/// Anyone: the transparency page's tables as downloads.
pub async fn transparency_export(
    State(s): State<AppState>,
    Path((code, file)): Path<(String, String)>,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let (name, format) = split_file(&file)?;
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let q = IndexQuery {
        agency: Some(code),
        ..Default::default()
    };
    figures_table(&s, name, period, q).await?.download(format)
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    layout: Layout,
    period: Period,
    period_text: String,
    query: String,
    rows: Vec<RankedAgency>,
}

/// Anyone: agencies ranked by their 766 score, with the A–E bands.
pub async fn ranking(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let rows = s.app.ranking(&period).await?;
    render(&RankingPage {
        layout: Layout::new("Xếp hạng chất lượng phục vụ", user),
        query: query_of(&period, &IndexQuery::default()),
        period_text: p.period.clone().unwrap_or_default(),
        period,
        rows,
    })
}

/// Anyone: the ranking as a download (`xep-hang.csv`, `xep-hang.xlsx`).
pub async fn ranking_export(
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(p): Query<IndexParams>,
) -> Result<Response, PageError> {
    let (name, format) = split_file(&file)?;
    if name != "xep-hang" {
        return Err(PageError(AppError::NotFound));
    }
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let rows = s.app.ranking(&period).await?;
    ranking_table(&period, &rows).download(format)
}
