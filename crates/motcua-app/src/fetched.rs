//! Once only, beyond the applicant's identity: components the agency takes from a national
//! database (the other party's civil status, the applicant's social insurance book) are fetched
//! when the dossier is filed and written with the filing. A database that does not answer never
//! stops the filing: the officer sees that the component is still to be looked up. Reads of the
//! applicant's own records are in their access log.

use motcua_domain::ComponentSource;
use motcua_domain::form::FormValues;
use motcua_integrations::registry::RegistryError;
use motcua_store::{DossierRow, RegistryRecordRow};
use serde::Serialize;

use crate::views::ts;
use crate::{App, AppError, CurrentUser, ProcedureView, Result, new_id, now_micros};

/// A fetched component as the officer and the applicant see it.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedComponent {
    pub component_name: String,
    pub source_label: &'static str,
    /// `fetched`, `not_found` or `unavailable`.
    pub status: String,
    pub status_label: &'static str,
    /// (label, value) as the database gave them.
    pub fields: Vec<(String, String)>,
    pub fetched_at: jiff::Timestamp,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "fetched" => "Đã lấy từ cơ sở dữ liệu",
        "not_found" => "Cơ sở dữ liệu không có bản ghi – cần kiểm tra khi tiếp nhận",
        _ => "Chưa lấy được (cơ sở dữ liệu không trả lời) – cần tra cứu khi tiếp nhận",
    }
}

impl App {
    /// Fetches the procedure's registry components for the applicant's dossier.
    pub(crate) async fn fetch_components(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        p: &ProcedureView,
        form: &FormValues,
    ) -> Result<Vec<RegistryRecordRow>> {
        let mut out = Vec::new();
        let mut own_id: Option<Option<String>> = None;
        for (index, c) in p.definition.fetched_components() {
            let personal_id = match &c.lookup {
                Some(field) => form.get(field).cloned(),
                None => {
                    if own_id.is_none() {
                        let row = self.db.user(&d.applicant_id).await?;
                        let profile = match &row {
                            Some(r) => self.profile_of(r)?,
                            None => None,
                        };
                        own_id = Some(
                            profile.and_then(|v| v["personal_id"].as_str().map(str::to_string)),
                        );
                    }
                    own_id.clone().flatten()
                }
            };
            let purpose = format!("Tiếp nhận hồ sơ {} – {}", p.code, c.name);
            let answer: std::result::Result<Vec<(String, String)>, RegistryError> =
                match (&self.registry, personal_id.as_deref(), c.source) {
                    (_, None, _) => Err(RegistryError::NotFound),
                    (Some(client), Some(pid), ComponentSource::PopulationRegistry) => {
                        client.person(pid, &purpose).await.map(|person| {
                            vec![
                                ("Họ và tên".into(), person.full_name),
                                ("Ngày sinh".into(), person.birth_date),
                                ("Giới tính".into(), person.sex),
                                ("Số định danh cá nhân".into(), person.personal_id),
                                ("Nơi thường trú".into(), person.permanent_address),
                            ]
                        })
                    }
                    (Some(client), Some(pid), ComponentSource::SocialInsuranceRegistry) => {
                        client.insurance_book(pid, &purpose).await.map(|book| {
                            vec![
                                ("Số sổ bảo hiểm xã hội".into(), book.book_number),
                                (
                                    "Số tháng đóng bảo hiểm thất nghiệp".into(),
                                    book.insured_months.to_string(),
                                ),
                                ("Đơn vị đóng gần nhất".into(), book.last_employer),
                            ]
                        })
                    }
                    _ => Err(RegistryError::Unavailable("not connected".into())),
                };
            if c.lookup.is_none() {
                self.log_registry_read(
                    user,
                    &d.applicant_id,
                    Some(&d.id),
                    answer.is_ok(),
                    &purpose,
                )
                .await?;
            }
            let (status, record) = match answer {
                Ok(fields) => {
                    let json = serde_json::to_string(&fields)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    ("fetched", Some(self.vault.seal_text(&json)))
                }
                Err(RegistryError::NotFound | RegistryError::InvalidId(_)) => ("not_found", None),
                Err(e) => {
                    tracing::warn!(target: "motcua::registry", component = index, retryable = e.is_retryable(), "registry component not fetched");
                    ("unavailable", None)
                }
            };
            out.push(RegistryRecordRow {
                id: new_id(),
                dossier_id: d.id.clone(),
                component_index: index as i64,
                source: serde_json::to_value(c.source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                status: status.into(),
                record_sealed: record,
                fetched_at: now_micros(),
            });
        }
        Ok(out)
    }

    /// The dossier's fetched components, for its page.
    pub(crate) async fn fetched_of(
        &self,
        d: &DossierRow,
        p: &ProcedureView,
    ) -> Result<Vec<FetchedComponent>> {
        let mut out = Vec::new();
        for r in self.db.registry_records(&d.id).await? {
            let component = p.definition.components.get(r.component_index as usize);
            let fields = match &r.record_sealed {
                Some(sealed) => serde_json::from_str(&self.open_text(sealed)?)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                None => Vec::new(),
            };
            out.push(FetchedComponent {
                component_name: component.map(|c| c.name.clone()).unwrap_or_default(),
                source_label: component.map(|c| c.source.label()).unwrap_or(""),
                status_label: status_label(&r.status),
                status: r.status,
                fields,
                fetched_at: ts(r.fetched_at),
            });
        }
        Ok(out)
    }
}
