//! "My data": what the registry holds about the citizen (as the portal uses it), who looked at
//! it and why, and the citizen's reports that a fact is wrong. A report goes to the registry as a
//! correction request (retried until the registry accepts it) and is shown to the officials
//! handling the citizen's dossiers, so nobody decides on a fact the citizen disputes unawares.

use jiff::Timestamp;
use motcua_domain::{Role, text};
use motcua_integrations::registry::CorrectionRequest;
use motcua_store::FactFlagRow;
use serde::Serialize;

use crate::dossiers::IDENTITY_FACTS;
use crate::views::{AccessView, IdentityFact, ts};
use crate::{App, AppError, CurrentUser, Result, new_id, now_micros};

/// Longest corrected value and note accepted.
const MAX_CLAIM_CHARS: usize = 300;
const MAX_NOTE_CHARS: usize = 1000;

/// A citizen's report that a registry fact is wrong.
#[derive(Debug, Clone, Serialize)]
pub struct FactFlagView {
    pub id: String,
    pub fact_label: &'static str,
    pub recorded: String,
    pub claimed: String,
    pub note: Option<String>,
    pub created_at: Timestamp,
    /// The registry's ticket once it accepted the correction request.
    pub registry_ticket: Option<String>,
}

impl FactFlagView {
    pub fn status_label(&self) -> String {
        match &self.registry_ticket {
            Some(t) => format!("Đã gửi CSDL quốc gia về dân cư, phiếu số {t}"),
            None => "Đang chờ gửi CSDL quốc gia về dân cư (tự động gửi lại)".into(),
        }
    }
}

/// Everything the "my data" page shows.
#[derive(Debug, Clone, Serialize)]
pub struct MyData {
    pub facts: Vec<IdentityFact>,
    pub flags: Vec<FactFlagView>,
    pub access: Vec<AccessView>,
}

fn fact_label(key: &str) -> Option<&'static str> {
    IDENTITY_FACTS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, label)| *label)
}

impl App {
    fn citizen_only(user: &CurrentUser) -> Result<()> {
        if user.role == Role::Citizen {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Trang này dành cho người dân, doanh nghiệp.".into(),
            ))
        }
    }

    /// The signed-in citizen's facts, reports and access log.
    pub async fn my_data(&self, user: &CurrentUser) -> Result<MyData> {
        Self::citizen_only(user)?;
        let row = self
            .db
            .user(&user.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let profile = self.profile_of(&row)?.unwrap_or_default();
        let facts = IDENTITY_FACTS
            .iter()
            .filter_map(|(key, label)| {
                Some(IdentityFact {
                    key: key.to_string(),
                    label,
                    value: profile[*key].as_str()?.to_string(),
                    source: motcua_domain::provenance::DataSource::PopulationRegistry.label(),
                    unverified: false,
                })
            })
            .collect();
        Ok(MyData {
            facts,
            flags: self.flags_of(&user.id).await?,
            // The newest page; the API pages through the rest.
            access: self
                .my_access_log(user, &crate::PageRequest::default())
                .await?
                .items,
        })
    }

    pub(crate) async fn flags_of(&self, user_id: &str) -> Result<Vec<FactFlagView>> {
        self.db
            .fact_flags_of(&self.tenant, user_id)
            .await?
            .into_iter()
            .map(|f| self.flag_view(f))
            .collect()
    }

    fn flag_view(&self, f: FactFlagRow) -> Result<FactFlagView> {
        Ok(FactFlagView {
            fact_label: fact_label(&f.fact_key).unwrap_or("Thông tin"),
            recorded: self.open_text(&f.recorded_sealed)?,
            claimed: self.open_text(&f.claimed_sealed)?,
            note: f
                .note_sealed
                .as_deref()
                .map(|n| self.open_text(n))
                .transpose()?,
            created_at: ts(f.created_at),
            registry_ticket: f.registry_ticket,
            id: f.id,
        })
    }

    /// The citizen reports that a registry fact is wrong and what it should be. Saved at once;
    /// sent to the registry now if it answers, else by [`App::send_fact_flags`] later.
    pub async fn flag_fact(
        &self,
        user: &CurrentUser,
        fact_key: &str,
        claimed: &str,
        note: &str,
    ) -> Result<FactFlagView> {
        Self::citizen_only(user)?;
        let label = fact_label(fact_key)
            .filter(|_| fact_key != "personal_id")
            .ok_or_else(|| AppError::invalid("Thông tin này không báo sai được ở đây."))?;
        let claimed = text::clean(claimed);
        let note = text::clean(note);
        let mut fields = std::collections::BTreeMap::new();
        if claimed.is_empty() {
            fields.insert(
                "claimed".to_string(),
                format!("Vui lòng nhập «{label}» đúng là gì."),
            );
        } else if claimed.chars().count() > MAX_CLAIM_CHARS || claimed.chars().any(char::is_control)
        {
            fields.insert(
                "claimed".to_string(),
                format!("Tối đa {MAX_CLAIM_CHARS} ký tự, không có ký tự điều khiển."),
            );
        }
        if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
            fields.insert(
                "note".to_string(),
                format!("Tối đa {MAX_NOTE_CHARS} ký tự, không có ký tự điều khiển."),
            );
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid {
                message: "Báo thông tin chưa đúng: còn mục cần sửa.".into(),
                fields,
            });
        }
        let row = self
            .db
            .user(&user.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let profile = self.profile_of(&row)?.unwrap_or_default();
        let recorded = profile[fact_key].as_str().unwrap_or_default().to_string();
        let flag = FactFlagRow {
            id: new_id(),
            user_id: user.id.clone(),
            dossier_id: None,
            fact_key: fact_key.to_string(),
            recorded_sealed: self.vault.seal_text(&recorded),
            claimed_sealed: self.vault.seal_text(&claimed),
            note_sealed: (!note.is_empty()).then(|| self.vault.seal_text(&note)),
            created_at: now_micros(),
            registry_ticket: None,
            sent_at: None,
            attempts: 0,
        };
        self.db.insert_fact_flag(&self.tenant, &flag).await?;
        self.send_fact_flags().await?;
        self.flags_of(&user.id)
            .await?
            .into_iter()
            .find(|f| f.id == flag.id)
            .ok_or_else(|| AppError::Internal("flag vanished".into()))
    }

    /// Sends the reports the registry has not accepted yet; answers how many it accepted.
    pub async fn send_fact_flags(&self) -> Result<usize> {
        let Some(client) = &self.registry else {
            return Ok(0);
        };
        let mut sent = 0;
        for f in self.db.unsent_fact_flags(&self.tenant, 50).await? {
            let Some(row) = self.db.user(&f.user_id).await? else {
                continue;
            };
            let Some(personal_id) = self
                .profile_of(&row)?
                .and_then(|p| p["personal_id"].as_str().map(str::to_string))
            else {
                continue;
            };
            let request = CorrectionRequest {
                personal_id,
                field: f.fact_key.clone(),
                recorded_value: self.open_text(&f.recorded_sealed)?,
                claimed_value: self.open_text(&f.claimed_sealed)?,
                note: f
                    .note_sealed
                    .as_deref()
                    .map(|n| self.open_text(n))
                    .transpose()?,
            };
            match client.report_correction(&request).await {
                Ok(ticket) => {
                    self.db
                        .record_fact_flag_attempt(&f.id, Some(&ticket), now_micros())
                        .await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(target: "motcua::registry", retryable = e.is_retryable(), "correction request not accepted yet");
                    self.db
                        .record_fact_flag_attempt(&f.id, None, now_micros())
                        .await?;
                    if e.is_retryable() {
                        break;
                    }
                }
            }
        }
        Ok(sent)
    }
}
