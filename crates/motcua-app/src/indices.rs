//! Decision 766 figures for a scope (all, an agency, a procedure, a field) and a period, the
//! ranking of agencies and the monthly trends, read from the aggregates kept with every event.

use std::collections::HashMap;

use jiff::civil::Date;
use motcua_domain::calendar::{Calendar, start_of_day};
use motcua_domain::indices::{Counters, Inputs, Period, ProcedureFigures, Report, percent};
use motcua_store::{IndexScope, IndexSums};
use serde::Serialize;

use crate::catalog::ProcedureView;
use crate::{App, AppError, CurrentUser, Result};
use motcua_domain::Role;

/// Working days an agency has to answer feedback (Decision 766).
const FEEDBACK_WORKING_DAYS: f64 = 15.0;

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct IndexQuery {
    /// Agency code; all agencies when `None`.
    pub agency: Option<String>,
    pub procedure: Option<String>,
    pub field: Option<String>,
}

/// The figures of one scope and period.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub from: String,
    pub to: String,
    pub agency_code: Option<String>,
    pub agency_name: String,
    pub procedure: Option<String>,
    pub field: Option<String>,
    #[serde(flatten)]
    pub report: Report,
}

/// One agency's place in the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankedAgency {
    pub rank: usize,
    pub agency_code: String,
    pub agency_name: String,
    pub score: Option<f64>,
    pub grade: Option<char>,
    pub received: i64,
    pub on_time_percent: Option<f64>,
    pub online_percent: Option<f64>,
    pub synced_percent: Option<f64>,
}

/// One month of a trend chart.
#[derive(Debug, Clone, Serialize)]
pub struct MonthFigures {
    /// `yyyy-mm`.
    pub month: String,
    pub received: i64,
    pub ended: i64,
    /// Of the dossiers whose processing ended that month.
    pub on_time_percent: Option<f64>,
    pub online_percent: Option<f64>,
    pub self_filed_percent: Option<f64>,
}

fn procedure_figures(
    calendar: &Calendar,
    p: &ProcedureView,
    period: &Counters,
) -> ProcedureFigures {
    let d = &p.definition;
    let (published_on_time, entered_on_time) = d
        .publication
        .as_ref()
        .map_or((None, None), |x| x.on_time(calendar));
    ProcedureFigures {
        published_on_time,
        entered_on_time,
        offered_online: true,
        has_fee: p.fee_vnd > 0 || p.online_fee_vnd > 0,
        published_in_full: !d.components.is_empty()
            && !d.result.trim().is_empty()
            && !d.process_hint.is_empty(),
        registry_connected: d.components.iter().any(|c| c.source.is_registry()),
        online_dossiers: period.online,
        paid_online: period.paid_online,
    }
}

/// One agency's feedback of a period, for the satisfaction group.
#[derive(Debug, Clone, Copy, Default)]
struct FeedbackFigures {
    due: i64,
    on_time: i64,
    rated: i64,
    satisfied: i64,
}

impl FeedbackFigures {
    fn add_to(&self, inputs: &mut Inputs) {
        inputs.feedback_due += self.due;
        inputs.feedback_on_time += self.on_time;
        inputs.feedback_rated += self.rated;
        inputs.feedback_satisfied += self.satisfied;
    }
}

fn name_of(agency: Option<&motcua_store::AgencyRow>) -> String {
    agency.map_or_else(|| "Toàn hệ thống".to_string(), |a| a.name.clone())
}

/// The aggregates a scope's figures are made of.
struct Sums {
    during: Vec<IndexSums>,
    to_end: Vec<IndexSums>,
    open: Option<Vec<motcua_store::OpenNow>>,
}

impl Sums {
    /// The inputs of one agency (all when `None`) and these procedures.
    fn inputs(
        &self,
        calendar: &Calendar,
        agency_id: Option<&str>,
        procedures: &[&ProcedureView],
    ) -> Inputs {
        let keep = |agency: &str, code: &str| {
            agency_id.is_none_or(|a| a == agency) && procedures.iter().any(|p| p.code == code)
        };
        let mut inputs = Inputs::default();
        let mut per_procedure: HashMap<&str, Counters> = HashMap::new();
        for s in self
            .during
            .iter()
            .filter(|s| keep(&s.agency_id, &s.procedure_code))
        {
            inputs.period.add(&s.counters);
            per_procedure
                .entry(s.procedure_code.as_str())
                .or_default()
                .add(&s.counters);
        }
        for s in self
            .to_end
            .iter()
            .filter(|s| keep(&s.agency_id, &s.procedure_code))
        {
            inputs.to_end.add(&s.counters);
        }
        inputs.open_now = self.open.as_ref().map(|open| {
            open.iter()
                .filter(|o| keep(&o.agency_id, &o.procedure_code))
                .fold((0, 0), |a, o| (a.0 + o.open, a.1 + o.overdue))
        });
        inputs.procedures = procedures
            .iter()
            .map(|p| {
                let c = per_procedure
                    .get(p.code.as_str())
                    .copied()
                    .unwrap_or_default();
                procedure_figures(calendar, p, &c)
            })
            .collect();
        inputs
    }
}

/// The field of certification procedures (chứng thực) in the catalog.
const CERTIFICATION_FIELD: &str = "Chứng thực";

/// Of `agencies`, the communes, and the communes offering a certification procedure online.
fn certifying(catalog: &crate::Catalog, agencies: &[&motcua_store::AgencyRow]) -> (i64, i64) {
    let communes: Vec<_> = agencies.iter().filter(|a| a.level == "commune").collect();
    let offering = communes
        .iter()
        .filter(|a| {
            catalog
                .procedures_at(&a.id)
                .iter()
                .any(|p| p.field == CERTIFICATION_FIELD)
        })
        .count();
    (communes.len() as i64, offering as i64)
}

/// The first instant of a civil day in Vietnam, microseconds.
fn day_start(d: Date) -> i64 {
    start_of_day(d).as_microsecond()
}

impl App {
    fn scope_agency(&self, code: Option<&str>) -> Result<Option<motcua_store::AgencyRow>> {
        match code {
            None => Ok(None),
            Some(code) => self
                .catalog()
                .agencies()
                .iter()
                .find(|a| a.code == code)
                .cloned()
                .map(Some)
                .ok_or(AppError::NotFound),
        }
    }

    /// Feedback due and answered on time, per agency: received in the period, answer due (15
    /// working days) by the period's end; unanswered ones past due count as late.
    async fn feedback_figures(
        &self,
        agency_id: Option<&str>,
        period: &Period,
    ) -> Result<HashMap<String, FeedbackFigures>> {
        let end = day_start(period.to.tomorrow().unwrap_or(period.to));
        let rows = self
            .db
            .feedback_timings(&self.tenant, agency_id, day_start(period.from), end)
            .await?;
        let calendar = self.calendar();
        let mut by_agency: HashMap<String, FeedbackFigures> = HashMap::new();
        for r in rows {
            let created = jiff::Timestamp::from_microsecond(r.created_at)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let due = calendar
                .due_at(created, FEEDBACK_WORKING_DAYS)
                .as_microsecond();
            let on_time = r.answered_at.is_some_and(|a| a <= due);
            let e = by_agency.entry(r.agency_id).or_default();
            if let Some(satisfied) = r.answer_satisfied {
                e.rated += 1;
                e.satisfied += i64::from(satisfied);
            }
            if due > end && !on_time && r.answered_at.is_none() {
                continue; // not yet due at the period's end
            }
            e.due += 1;
            e.on_time += i64::from(on_time);
        }
        Ok(by_agency)
    }

    /// For a period ending today, the dossiers open now (judged now, not at midnight).
    async fn open_now(
        &self,
        agency_id: Option<&str>,
        period: &Period,
    ) -> Result<Option<Vec<motcua_store::OpenNow>>> {
        if period.to < today() {
            return Ok(None);
        }
        let scope = IndexScope {
            tenant: &self.tenant,
            agency_id,
        };
        let now = jiff::Timestamp::now().as_microsecond();
        Ok(Some(self.db.open_now(&scope, now).await?))
    }

    /// Sums of the period and up to its end (and, for a period ending today, the dossiers
    /// open now), for one agency or all.
    async fn sums(&self, agency_id: Option<&str>, period: &Period) -> Result<Sums> {
        let scope = IndexScope {
            tenant: &self.tenant,
            agency_id,
        };
        let last = period.last_day();
        Ok(Sums {
            during: self.db.index_sums(&scope, period.first_day(), last).await?,
            to_end: self.db.index_sums(&scope, 0, last).await?,
            open: self.open_now(agency_id, period).await?,
        })
    }

    /// The figures of a scope and period.
    pub async fn figures(&self, q: &IndexQuery, period: &Period) -> Result<Figures> {
        let agency = self.scope_agency(q.agency.as_deref())?;
        let catalog = self.catalog();
        let calendar = self.calendar();
        let wanted = |p: &ProcedureView| {
            q.procedure.as_deref().is_none_or(|c| c == p.code)
                && q.field.as_deref().is_none_or(|f| f == p.field)
        };
        let procedures: Vec<&ProcedureView> = match &agency {
            Some(a) => catalog.procedures_at(&a.id),
            None => catalog.procedures.iter().collect(),
        }
        .into_iter()
        .filter(|p| wanted(p))
        .collect();
        let agency_id = agency.as_ref().map(|a| a.id.as_str());
        let sums = self.sums(agency_id, period).await?;
        let mut inputs = sums.inputs(&calendar, None, &procedures);
        let communes: Vec<&motcua_store::AgencyRow> = match &agency {
            Some(a) => vec![a],
            None => catalog.agencies().iter().collect(),
        };
        (inputs.communes, inputs.communes_certifying) = certifying(&catalog, &communes);
        if q.procedure.is_none() && q.field.is_none() {
            let fb = self.feedback_figures(agency_id, period).await?;
            fb.values().for_each(|f| f.add_to(&mut inputs));
        }
        Ok(Figures {
            from: period.from.to_string(),
            to: period.to.to_string(),
            agency_code: agency.as_ref().map(|a| a.code.clone()),
            agency_name: name_of(agency.as_ref()),
            procedure: q.procedure.clone(),
            field: q.field.clone(),
            report: inputs.report(),
        })
    }

    /// Every agency that has procedures, best score first (no score last), with its grade.
    pub async fn ranking(&self, period: &Period) -> Result<Vec<RankedAgency>> {
        let catalog = self.catalog();
        let calendar = self.calendar();
        let sums = self.sums(None, period).await?;
        let feedback = self.feedback_figures(None, period).await?;
        let mut rows = Vec::new();
        for agency in catalog.agencies() {
            let procedures = catalog.procedures_at(&agency.id);
            if procedures.is_empty() {
                continue;
            }
            let mut inputs = sums.inputs(&calendar, Some(&agency.id), &procedures);
            (inputs.communes, inputs.communes_certifying) = certifying(&catalog, &[agency]);
            if let Some(f) = feedback.get(&agency.id) {
                f.add_to(&mut inputs);
            }
            let report = inputs.report();
            let rate = |key: &str| {
                report
                    .rates
                    .iter()
                    .find(|r| r.key == key)
                    .and_then(|r| r.percent)
            };
            rows.push(RankedAgency {
                rank: 0,
                agency_code: agency.code.clone(),
                agency_name: agency.name.clone(),
                score: report.score,
                grade: report.grade,
                received: inputs.period.received,
                on_time_percent: rate("on_time"),
                online_percent: rate("online"),
                synced_percent: rate("synced"),
            });
        }
        rows.sort_by(|a, b| {
            let key = |r: &RankedAgency| r.score.unwrap_or(-1.0);
            key(b)
                .total_cmp(&key(a))
                .then_with(|| a.agency_name.cmp(&b.agency_name))
        });
        for (i, r) in rows.iter_mut().enumerate() {
            r.rank = i + 1;
        }
        Ok(rows)
    }

    /// The last `months` months up to `until`, month by month, for one agency or all.
    pub async fn monthly_trend(
        &self,
        agency_code: Option<&str>,
        until: Date,
        months: usize,
    ) -> Result<Vec<MonthFigures>> {
        let agency = self.scope_agency(agency_code)?;
        let periods = Period::months_back(until, months);
        let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
            return Ok(Vec::new());
        };
        let scope = IndexScope {
            tenant: &self.tenant,
            agency_id: agency.as_ref().map(|a| a.id.as_str()),
        };
        let sums = self
            .db
            .index_months(&scope, first.first_day(), last.last_day())
            .await?;
        Ok(periods
            .iter()
            .map(|p| {
                let month = p.first_day() / 100;
                let c = sums
                    .iter()
                    .find(|s| s.month == month)
                    .map(|s| s.counters)
                    .unwrap_or_default();
                MonthFigures {
                    month: format!("{}-{:02}", month / 100, month % 100),
                    received: c.received,
                    ended: c.ended,
                    on_time_percent: percent(c.ended_on_time, c.ended),
                    online_percent: percent(c.online, c.received),
                    self_filed_percent: percent(c.self_filed, c.online),
                }
            })
            .collect())
    }

    /// Bulk-loads aggregates computed elsewhere (the 10-million-event benchmark): days as
    /// (yyyymmdd, agency id, procedure code, counters), open dossiers as (id, agency id,
    /// procedure code, due).
    pub async fn load_index_aggregates(
        &self,
        days: &[(i64, String, String, Counters)],
        open: &[(String, String, String, i64)],
    ) -> Result<()> {
        Ok(self.db.load_index(&self.tenant, days, open).await?)
    }

    /// Folds every dossier again from the event log and mends the aggregates to match, in
    /// short transactions while the office works on.
    pub async fn rebuild_indices(&self) -> Result<motcua_store::Rebuilt> {
        Ok(self.db.rebuild_indices(&self.tenant).await?)
    }
}

/// Today in Vietnam.
fn today() -> Date {
    motcua_domain::calendar::local_date(jiff::Timestamp::now())
}

impl App {
    /// The period asked for (`2026`, `2026-Q4`, `2026-11`, `2026-01-15..2026-02-10`), this month
    /// when none; a period reaching past today stops today, so that dossiers still open are
    /// judged now and not at a date to come.
    pub fn period_or_this_month(&self, text: Option<&str>) -> Result<Period> {
        let today = today();
        let period = match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => {
                Period::parse(t).map_err(|e| AppError::invalid_field("period", e.to_string()))?
            }
            None => Period::month(today.year(), today.month())
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        if period.from > today {
            return Err(AppError::invalid_field(
                "period",
                "Kỳ này chưa bắt đầu: chọn một kỳ đến hôm nay.",
            ));
        }
        Ok(Period {
            from: period.from,
            to: period.to.min(today),
        })
    }

    /// The agency an internal dashboard shows: a leader sees their own agency only;
    /// supervisors and administrators of the province any agency, or all when none is asked.
    pub fn dashboard_agency(
        &self,
        user: &CurrentUser,
        asked: Option<&str>,
    ) -> Result<Option<String>> {
        let refuse =
            || AppError::Forbidden("Trang này dành cho lãnh đạo cơ quan và người giám sát.".into());
        match user.role {
            Role::Leader => {
                let own = user
                    .agency_id
                    .as_deref()
                    .and_then(|a| self.catalog().agency(a).map(|a| a.code.clone()))
                    .ok_or_else(refuse)?;
                match asked {
                    Some(code) if code != own => Err(refuse()),
                    _ => Ok(Some(own)),
                }
            }
            Role::Supervisor | Role::Admin if user.agency_id.is_none() => {
                if let Some(code) = asked {
                    self.scope_agency(Some(code))?;
                }
                Ok(asked.map(str::to_string))
            }
            _ => Err(refuse()),
        }
    }

    /// Administrators: recompute every aggregate from the event log (after a restore, or to
    /// prove the live figures right).
    pub async fn rebuild_indices_as(&self, user: &CurrentUser) -> Result<motcua_store::Rebuilt> {
        if user.role != Role::Admin {
            return Err(AppError::Forbidden(
                "Chỉ quản trị hệ thống được tính lại chỉ số.".into(),
            ));
        }
        self.rebuild_indices().await
    }

    /// What a scope is called: the agency's name, or the whole system's.
    pub fn scope_name(&self, agency_code: Option<&str>) -> Result<String> {
        Ok(name_of(self.scope_agency(agency_code)?.as_ref()))
    }

    /// The agency id of a code, for the load lists.
    pub fn agency_id_of(&self, code: &str) -> Option<String> {
        self.scope_agency(Some(code)).ok().flatten().map(|a| a.id)
    }
}
