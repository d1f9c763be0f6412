//! The procedure catalog, held in memory (it changes rarely and is read on every page).

use std::sync::Arc;

use motcua_domain::procedure::ProcedureDefinition;
use motcua_domain::{OnlineService, text};
use motcua_store::{AgencyRow, ProcedureRow};
use serde::Serialize;

use crate::{App, AppError, Result};

/// A procedure version as people see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProcedureView {
    pub id: String,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub field: String,
    /// `province` or `commune`.
    pub level: String,
    pub agency_key: String,
    pub per_commune: bool,
    pub online_service: OnlineService,
    /// Legal processing time in working days; halves allowed.
    pub legal_working_days: f64,
    pub fee_vnd: i64,
    pub online_fee_vnd: i64,
    pub definition: ProcedureDefinition,
    #[serde(skip)]
    folded: String,
}

impl ProcedureView {
    pub(crate) fn from_row(row: &ProcedureRow) -> Result<Self> {
        let definition: ProcedureDefinition = serde_json::from_str(&row.definition)
            .map_err(|e| AppError::Internal(format!("procedure {} definition: {e}", row.code)))?;
        let online_service = match row.online_service.as_str() {
            "full" => OnlineService::Full,
            _ => OnlineService::Partial,
        };
        Ok(ProcedureView {
            id: row.id.clone(),
            code: row.code.clone(),
            version: row.version,
            folded: text::fold(&format!("{} {} {}", row.name, row.field, row.code)),
            name: row.name.clone(),
            field: row.field.clone(),
            level: row.level.clone(),
            agency_key: row.agency_key.clone(),
            per_commune: row.per_commune,
            online_service,
            legal_working_days: row.legal_half_days as f64 / 2.0,
            fee_vnd: row.fee_vnd,
            online_fee_vnd: row.online_fee_vnd,
            definition,
        })
    }

    pub fn level_label(&self) -> &'static str {
        if self.level == "province" {
            "Cấp tỉnh"
        } else {
            "Cấp xã"
        }
    }

    /// The legal time in plain words.
    pub fn legal_time_label(&self) -> String {
        if self.legal_working_days <= 0.0 {
            "Trong ngày làm việc".to_string()
        } else {
            format!(
                "{} ngày làm việc",
                self.legal_working_days.to_string().replace('.', ",")
            )
        }
    }
}

/// The current procedures and the agencies that handle them.
#[derive(Debug, Default)]
pub struct Catalog {
    pub procedures: Vec<ProcedureView>,
    pub agencies: Vec<AgencyRow>,
}

impl Catalog {
    /// Procedures whose name, field or code contains every word of `query` (case and diacritics
    /// folded); all of them for an empty query.
    pub fn search(&self, query: &str) -> Vec<&ProcedureView> {
        let words = text::query_words(query);
        self.procedures
            .iter()
            .filter(|p| text::matches_all_words(&p.folded, &words))
            .collect()
    }

    pub fn procedure(&self, code: &str) -> Option<&ProcedureView> {
        self.procedures.iter().find(|p| p.code == code)
    }

    /// The agencies a dossier of `p` may be filed with (one per commune for commune procedures).
    pub fn agencies_for(&self, p: &ProcedureView) -> Vec<&AgencyRow> {
        self.agencies
            .iter()
            .filter(|a| {
                if p.per_commune {
                    a.catalog_key.starts_with(&format!("{}:", p.agency_key))
                } else {
                    a.catalog_key == p.agency_key
                }
            })
            .collect()
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyRow> {
        self.agencies.iter().find(|a| a.id == id)
    }
}

impl App {
    /// The catalog as it is now; cheap (an `Arc` clone).
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the catalog from the database again (after seeding or an import).
    pub async fn reload_catalog(&self) -> Result<()> {
        let procedures = self
            .db
            .current_procedures(&self.tenant)
            .await?
            .iter()
            .map(ProcedureView::from_row)
            .collect::<Result<Vec<_>>>()?;
        let agencies = self.db.agencies(&self.tenant).await?;
        let fresh = Arc::new(Catalog {
            procedures,
            agencies,
        });
        match self.catalog.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(half_days: i64) -> ProcedureRow {
        ProcedureRow {
            id: "p".into(),
            code: "X-01".into(),
            version: 1,
            name: "Đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            level: "commune".into(),
            agency_key: "k".into(),
            per_commune: true,
            online_service: "full".into(),
            legal_half_days: half_days,
            fee_vnd: 0,
            online_fee_vnd: 0,
            definition: r#"{"components":[],"form_fields":[],"result":"x"}"#.into(),
        }
    }

    #[test]
    fn legal_time_reads_in_whole_and_half_days() {
        assert_eq!(
            ProcedureView::from_row(&row(0)).unwrap().legal_time_label(),
            "Trong ngày làm việc"
        );
        assert_eq!(
            ProcedureView::from_row(&row(5)).unwrap().legal_time_label(),
            "2,5 ngày làm việc"
        );
        let three = ProcedureView::from_row(&row(6)).unwrap();
        assert_eq!(three.legal_working_days, 3.0);
        assert_eq!(three.legal_time_label(), "3 ngày làm việc");
    }

    #[test]
    fn search_folds_case_and_diacritics() {
        let catalog = Catalog {
            procedures: vec![ProcedureView::from_row(&row(0)).unwrap()],
            agencies: vec![],
        };
        for q in [
            "dang ky khai sinh",
            "ĐĂNG KÝ KHAI SINH",
            "khai sinh",
            "ho tich",
        ] {
            assert_eq!(catalog.search(q).len(), 1, "{q}");
        }
        assert!(catalog.search("khai tu").is_empty());
    }
}
