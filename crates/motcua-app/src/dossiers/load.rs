//! The leader's view of the agency's load: every dossier still being handled, counted by
//! procedure and urgency, with the overdue ones listed, so work can be moved before it is late.
//! Also the work list's search by the applicant's name, whose names are stored sealed.

use std::collections::BTreeMap;

use motcua_domain::urgency::Urgency;
use serde::Serialize;

use super::reading::line;
use super::*;

/// Most dossiers the load view reads.
const MAX_LOAD: i64 = 20_000;

/// One procedure's running dossiers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadRow {
    pub procedure_code: String,
    pub procedure_name: String,
    pub running: usize,
    pub overdue: usize,
    pub due_today: usize,
    pub due_soon: usize,
    pub paused: usize,
    /// Filed, waiting for intake.
    pub waiting_intake: usize,
}

/// The agency's load.
#[derive(Debug, Clone, Serialize)]
pub struct LoadView {
    pub agency_name: String,
    pub by_procedure: Vec<LoadRow>,
    /// (state label, count), in lifecycle order.
    pub by_state: Vec<(&'static str, usize)>,
    /// Overdue dossiers, longest overdue first.
    pub overdue: Vec<DossierLine>,
    /// Due today or soon, earliest first.
    pub due_soon: Vec<DossierLine>,
    pub total: LoadRow,
}

impl App {
    /// Leaders (and supervisors) of an agency: its running dossiers.
    pub async fn agency_load(&self, user: &CurrentUser) -> Result<LoadView> {
        let agency = match (&user.agency_id, user.role) {
            (Some(a), Role::Leader | Role::Supervisor) => a.clone(),
            _ => {
                return Err(AppError::Forbidden(
                    "Trang này dành cho lãnh đạo cơ quan.".into(),
                ));
            }
        };
        self.load_of(&agency).await
    }

    /// Any agency's load, for the indices dashboard: its leaders, and supervisors and
    /// administrators of the whole province.
    pub async fn agency_load_of(&self, user: &CurrentUser, agency_id: &str) -> Result<LoadView> {
        let allowed = match user.role {
            Role::Leader => user.agency_id.as_deref() == Some(agency_id),
            Role::Supervisor | Role::Admin => user.agency_id.is_none(),
            _ => false,
        };
        if !allowed {
            return Err(AppError::Forbidden(
                "Chỉ lãnh đạo cơ quan và người giám sát xem được danh sách này.".into(),
            ));
        }
        self.load_of(agency_id).await
    }

    async fn load_of(&self, agency: &str) -> Result<LoadView> {
        let states: Vec<&str> = DossierState::ALL
            .into_iter()
            .filter(|s| *s != DossierState::Draft && !s.is_closed())
            .map(DossierState::as_str)
            .collect();
        let rows = self
            .db
            .dossiers_of_agency(&self.tenant, agency, &states, MAX_LOAD)
            .await?;
        let (cal, now) = (self.calendar(), jiff::Timestamp::now());
        let lines: Vec<DossierLine> = rows.into_iter().map(|r| line(&cal, now, r)).collect();
        let mut by_procedure: BTreeMap<String, LoadRow> = BTreeMap::new();
        let mut total = LoadRow::default();
        for l in &lines {
            let row = by_procedure
                .entry(l.procedure_code.clone())
                .or_insert_with(|| LoadRow {
                    procedure_code: l.procedure_code.clone(),
                    procedure_name: l.procedure_name.clone(),
                    ..LoadRow::default()
                });
            for r in [row, &mut total] {
                r.running += 1;
                match l.urgency {
                    Urgency::Overdue => r.overdue += 1,
                    Urgency::DueToday => r.due_today += 1,
                    Urgency::DueSoon => r.due_soon += 1,
                    Urgency::Paused => r.paused += 1,
                    Urgency::OnTime | Urgency::NoDeadline => {}
                }
                if l.state == DossierState::Submitted {
                    r.waiting_intake += 1;
                }
            }
        }
        let mut by_procedure: Vec<LoadRow> = by_procedure.into_values().collect();
        by_procedure.sort_by(|a, b| {
            (b.overdue, b.due_today, b.running).cmp(&(a.overdue, a.due_today, a.running))
        });
        let by_state = DossierState::ALL
            .into_iter()
            .map(|s| (s.label(), lines.iter().filter(|l| l.state == s).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        let (mut overdue, mut due_soon) = (Vec::new(), Vec::new());
        for l in lines {
            match l.urgency {
                Urgency::Overdue => overdue.push(l),
                Urgency::DueToday | Urgency::DueSoon => due_soon.push(l),
                _ => {}
            }
        }
        overdue.sort_by_key(|l| l.due_at);
        due_soon.sort_by_key(|l| l.due_at);
        Ok(LoadView {
            agency_name: self
                .catalog()
                .agency(agency)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            by_procedure,
            by_state,
            overdue,
            due_soon,
            total,
        })
    }
}
