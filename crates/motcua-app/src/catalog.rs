//! The procedure catalog, held in memory with its search index (it changes rarely and is read
//! on every page).

mod search;

use std::collections::HashMap;
use std::sync::Arc;

use motcua_domain::procedure::ProcedureDefinition;
use motcua_domain::{OnlineService, text};
use motcua_search::SearchIndex;
use motcua_store::{AgencyRow, ProcedureRow};
use serde::Serialize;

pub use search::ProcedureFilter;

use crate::{App, AppError, Result};

/// Said when a procedure does not say who may file.
const ANYONE_MAY_FILE: &str =
    "Cá nhân, tổ chức có yêu cầu giải quyết thủ tục này, hoặc người được họ ủy quyền.";

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

    /// Who may file, in plain words.
    pub fn applicants_label(&self) -> &str {
        self.definition
            .applicants
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or(ANYONE_MAY_FILE)
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
    by_code: HashMap<String, usize>,
    /// Position of each current version by its id (what a dossier names).
    by_id: HashMap<String, usize>,
    /// (agency key, name people know it by), by name.
    agency_choices: Vec<(String, String)>,
    /// The procedures' fields, by name.
    fields: Vec<String>,
    /// `None` only before the first load.
    index: Option<SearchIndex>,
    /// Answers drawn from this catalog (see [`Catalog::answer`]); a reload makes a new catalog,
    /// so they never outlive what they were drawn from.
    answers: std::sync::Mutex<HashMap<String, Arc<CatalogAnswer>>>,
}

/// An answer drawn from the catalog: a body, and the address of the next page if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogAnswer {
    pub body: bytes::Bytes,
    pub next: Option<String>,
    /// A fingerprint of the body (the web layer's ETag), so it is not computed again.
    pub fingerprint: String,
}

/// At most this many answers are kept per catalog (the key holds what people typed); when
/// full, all are dropped.
const ANSWERS_KEPT: usize = 512;

impl Catalog {
    /// The answer kept for `key`, or `draw`n now and kept: the catalog changes only when it is
    /// reloaded, while people ask the same searches all day (the API's list of procedures
    /// serialised each form's schema on every request).
    pub fn answer(
        &self,
        key: &str,
        draw: impl FnOnce() -> Result<CatalogAnswer>,
    ) -> Result<Arc<CatalogAnswer>> {
        if let Some(a) = self.answers.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(a);
        }
        let drawn = Arc::new(draw()?);
        if let Ok(mut m) = self.answers.lock() {
            if m.len() >= ANSWERS_KEPT {
                m.clear();
            }
            m.insert(key.to_string(), drawn.clone());
        }
        Ok(drawn)
    }

    /// The catalog and its search index (a few hundred ms for 5,000 procedures: build it off the
    /// async threads).
    pub fn new(procedures: Vec<ProcedureView>, agencies: Vec<AgencyRow>) -> Result<Catalog> {
        let mut agency_choices: Vec<(String, String)> = Vec::new();
        let mut fields: Vec<String> = Vec::new();
        for p in &procedures {
            if !agency_choices.iter().any(|(k, _)| *k == p.agency_key) {
                let label = agency_label(&p.agency_key, &agencies);
                agency_choices.push((p.agency_key.clone(), label));
            }
            if !fields.contains(&p.field) {
                fields.push(p.field.clone());
            }
        }
        agency_choices.sort_by_cached_key(|(_, label)| text::fold(label));
        fields.sort_by_cached_key(|f| text::fold(f));
        let docs: Vec<_> = procedures
            .iter()
            .map(|p| {
                let label = agency_choices
                    .iter()
                    .find(|(k, _)| *k == p.agency_key)
                    .map(|(_, l)| l.as_str())
                    .unwrap_or_default();
                search::doc(p, label)
            })
            .collect();
        let index =
            SearchIndex::build(&docs).map_err(|e| AppError::Internal(format!("catalog: {e}")))?;
        Ok(Catalog {
            by_id: procedures
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect(),
            by_code: procedures
                .iter()
                .enumerate()
                .map(|(i, p)| (p.code.clone(), i))
                .collect(),
            procedures,
            agencies,
            agency_choices,
            fields,
            index: Some(index),
            answers: Default::default(),
        })
    }

    pub fn procedure(&self, code: &str) -> Option<&ProcedureView> {
        self.procedures.get(*self.by_code.get(code)?)
    }

    /// A current version by its id.
    pub fn version(&self, id: &str) -> Option<&ProcedureView> {
        self.procedures.get(*self.by_id.get(id)?)
    }

    /// The agencies procedures are filed with, as (key, name), for a filter list.
    pub fn agency_choices(&self) -> &[(String, String)] {
        &self.agency_choices
    }

    /// The name of the agency that decides procedures with this key ("Ủy ban nhân dân cấp xã"
    /// for one in every commune).
    pub fn agency_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.agency_choices
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, l)| l.as_str())
            .unwrap_or(key)
    }

    /// The procedures' fields, for a filter list.
    pub fn fields(&self) -> &[String] {
        &self.fields
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

    /// The procedures filed with the agency `agency_id`, for the one-stop desk's intake form.
    pub fn procedures_at(&self, agency_id: &str) -> Vec<&ProcedureView> {
        let Some(agency) = self.agency(agency_id) else {
            return Vec::new();
        };
        self.procedures
            .iter()
            .filter(|p| {
                if p.per_commune {
                    agency
                        .catalog_key
                        .starts_with(&format!("{}:", p.agency_key))
                } else {
                    agency.catalog_key == p.agency_key
                }
            })
            .collect()
    }

    /// Every agency of the tenant.
    pub fn agencies(&self) -> &[AgencyRow] {
        &self.agencies
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyRow> {
        self.agencies.iter().find(|a| a.id == id)
    }
}

/// The name of the catalog in the shared caches' versions.
pub(crate) const CATALOG_CACHE: &str = "catalog";

impl App {
    /// The catalog as it is now; cheap (an `Arc` clone).
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Tells every node that the catalog changed (after seeding or an import).
    pub(crate) async fn catalog_changed(&self) -> Result<()> {
        self.db
            .bump_cache_version(&self.tenant, CATALOG_CACHE)
            .await?;
        self.refresh_shared_caches().await.map(|_| ())
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
        let fresh = tokio::task::spawn_blocking(move || Catalog::new(procedures, agencies))
            .await
            .map_err(|e| AppError::Internal(format!("catalog build: {e}")))??;
        let fresh = Arc::new(fresh);
        match self.catalog.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

/// Words of commune-level unit types ("Phường", "Xã", "Đặc khu"), folded.
const COMMUNE_UNIT_WORDS: &[&str] = &["phuong", "xa", "dac", "khu"];

/// One agency's name, or for one in every commune the words their names share ("Ủy ban nhân
/// dân" + "cấp xã"); the key itself when no agency has it.
fn agency_label(key: &str, agencies: &[AgencyRow]) -> String {
    if let Some(a) = agencies.iter().find(|a| a.catalog_key == key) {
        return a.name.clone();
    }
    let prefix = format!("{key}:");
    let mut names = agencies
        .iter()
        .filter(|a| a.catalog_key.starts_with(&prefix))
        .map(|a| a.name.as_str());
    let Some(first) = names.next() else {
        return key.to_string();
    };
    let mut shared: Vec<&str> = first.split_whitespace().collect();
    let mut several = false;
    for name in names {
        several = true;
        let common = shared
            .iter()
            .zip(name.split_whitespace())
            .take_while(|(a, b)| *a == b)
            .count();
        shared.truncate(common);
    }
    // "Ủy ban nhân dân Phường …" in every commune of a city: the unit type is not the agency.
    while shared
        .last()
        .is_some_and(|w| COMMUNE_UNIT_WORDS.contains(&text::fold(w).as_str()))
    {
        shared.pop();
    }
    if !several {
        first.to_string()
    } else if shared.is_empty() {
        key.to_string()
    } else {
        format!("{} cấp xã", shared.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_drawn_once_per_catalog_and_errors_are_not_kept() {
        let catalog = Catalog::default();
        let draws = std::cell::Cell::new(0);
        let draw = || {
            draws.set(draws.get() + 1);
            Ok(CatalogAnswer {
                body: bytes::Bytes::from_static(b"[]"),
                next: None,
                fingerprint: "\"f\"".into(),
            })
        };
        let first = catalog.answer("q=a", draw).unwrap();
        let again = catalog.answer("q=a", draw).unwrap();
        assert_eq!(
            (draws.get(), first, again.clone()),
            (1, again.clone(), again)
        );
        assert!(catalog.answer("q=b", || Err(AppError::NotFound)).is_err());
        catalog.answer("q=b", draw).unwrap();
        assert_eq!(draws.get(), 2, "the error was not kept");
        for i in 0..ANSWERS_KEPT + 3 {
            catalog.answer(&i.to_string(), draw).unwrap();
        }
        assert!(catalog.answers.lock().unwrap().len() <= ANSWERS_KEPT);
    }

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

    fn view(code: &str, name: &str, level: &str, agency: &str, online: &str) -> ProcedureView {
        ProcedureView::from_row(&ProcedureRow {
            code: code.into(),
            name: name.into(),
            level: level.into(),
            agency_key: agency.into(),
            online_service: online.into(),
            ..row(0)
        })
        .unwrap()
    }

    fn agency(key: &str, name: &str) -> AgencyRow {
        AgencyRow {
            id: key.into(),
            code: key.into(),
            catalog_key: key.into(),
            name: name.into(),
            level: "commune".into(),
            commune_code: None,
            bank_bin: None,
            bank_account: None,
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(
            vec![
                view("HT-02", "Đăng ký kết hôn", "commune", "ubnd", "partial"),
                view("HT-01", "Đăng ký khai sinh", "commune", "ubnd", "full"),
                ProcedureView {
                    field: "Lý lịch tư pháp".into(),
                    ..view(
                        "TP-01",
                        "Cấp Phiếu lý lịch tư pháp",
                        "province",
                        "stp",
                        "full",
                    )
                },
            ],
            vec![
                agency("ubnd:1", "Ủy ban nhân dân Phường Gia Sàng"),
                agency("ubnd:2", "Ủy ban nhân dân Phường Linh Sơn"),
                agency("stp", "Sở Tư pháp"),
            ],
        )
        .unwrap()
    }

    fn codes(catalog: &Catalog, f: &ProcedureFilter) -> Vec<String> {
        catalog
            .search(f)
            .unwrap()
            .into_iter()
            .map(|p| p.code.clone())
            .collect()
    }

    fn words(q: &str) -> ProcedureFilter {
        ProcedureFilter {
            q: q.into(),
            ..Default::default()
        }
    }

    #[test]
    fn search_folds_case_and_diacritics_and_ranks() {
        let catalog = catalog();
        for q in ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"] {
            assert_eq!(codes(&catalog, &words(q)), ["HT-01"], "{q}");
        }
        assert_eq!(codes(&catalog, &words("ho tich")), ["HT-02", "HT-01"]);
        assert!(codes(&catalog, &words("khai tu")).is_empty());
        assert_eq!(codes(&catalog, &words("")).len(), 3, "catalog order");
        assert_eq!(
            catalog.procedure("TP-01").unwrap().name,
            "Cấp Phiếu lý lịch tư pháp"
        );
    }

    #[test]
    fn filters_narrow_and_unknown_values_are_refused() {
        let catalog = catalog();
        let f = ProcedureFilter {
            level: "commune".into(),
            online: "full".into(),
            field: "HỘ TỊCH".into(),
            agency: "ubnd".into(),
            ..Default::default()
        };
        assert!(f.narrows());
        assert_eq!(codes(&catalog, &f), ["HT-01"]);
        let bad = ProcedureFilter {
            level: "district".into(),
            online: "yes".into(),
            agency: "nowhere".into(),
            field: "Thuế".into(),
            ..Default::default()
        };
        match catalog.search(&bad) {
            Err(AppError::BadQuery { fields, .. }) => {
                let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
                assert_eq!(keys, ["agency", "field", "level", "online"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn agencies_in_every_commune_go_by_their_shared_name() {
        let catalog = catalog();
        assert_eq!(
            catalog.agency_choices(),
            [
                ("stp".to_string(), "Sở Tư pháp".to_string()),
                ("ubnd".to_string(), "Ủy ban nhân dân cấp xã".to_string()),
            ]
        );
        assert_eq!(catalog.agency_name("ubnd"), "Ủy ban nhân dân cấp xã");
        assert_eq!(catalog.fields(), ["Hộ tịch", "Lý lịch tư pháp"]);
        assert_eq!(agency_label("none", &[]), "none");
    }

    #[test]
    fn who_may_file_has_a_plain_default() {
        let mut p = view("X", "X", "commune", "k", "full");
        assert_eq!(p.applicants_label(), ANYONE_MAY_FILE);
        p.definition.applicants = Some("Cha, mẹ của trẻ".into());
        assert_eq!(p.applicants_label(), "Cha, mẹ của trẻ");
    }
}
