//! Filing for the applicant: at the one-stop desk (paper components scanned by the officer) or
//! at a support point (online, helped). The dossier stays the applicant's; the officer is its
//! filer until it is filed, and the filing mode is kept so that self-filed and assisted
//! dossiers are counted apart.

use super::*;
use motcua_domain::channel::FilingMode;
use motcua_domain::ident;
use motcua_integrations::registry::RegistryError;
use motcua_store::NewUser;
use serde::Deserialize;

use crate::identity::PERSONAL_ID_INDEX;

/// Who the officer files for, as the applicant states it (their ID card in hand).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicantInput {
    pub personal_id: String,
    pub full_name: String,
    /// For notices by SMS; optional.
    #[serde(default)]
    pub phone: Option<String>,
    /// For notices by e-mail; optional.
    #[serde(default)]
    pub email: Option<String>,
}

/// Longest name accepted.
const MAX_NAME_CHARS: usize = 100;

impl App {
    /// Starts a draft that `officer` files for the applicant in `mode` (assisted or counter);
    /// the officer then fills it and files it like the applicant would. Counter filing is at the
    /// officer's own agency, and is received as it is filed.
    pub async fn start_on_behalf(
        &self,
        officer: &CurrentUser,
        procedure_code: &str,
        agency_id: Option<&str>,
        mode: FilingMode,
        applicant: &ApplicantInput,
        values: &FormValues,
    ) -> Result<String> {
        if officer.role != Role::IntakeOfficer {
            return Err(AppError::Forbidden(
                "Chỉ cán bộ tiếp nhận mới nộp hồ sơ thay người dân.".into(),
            ));
        }
        if !mode.is_on_behalf() {
            return Err(AppError::invalid(
                "Chọn hình thức: nộp trực tiếp hoặc nộp trực tuyến có hỗ trợ.",
            ));
        }
        let agency_id = match (agency_id.filter(|a| !a.is_empty()), &officer.agency_id) {
            (Some(a), _) => a.to_string(),
            (None, Some(own)) => own.clone(),
            (None, None) => return Err(AppError::invalid("Vui lòng chọn nơi nộp hồ sơ.")),
        };
        if mode == FilingMode::Counter && officer.agency_id.as_deref() != Some(agency_id.as_str()) {
            return Err(AppError::invalid(
                "Hồ sơ nộp trực tiếp chỉ tiếp nhận tại cơ quan của cán bộ; nơi khác, hãy chọn «nộp trực tuyến có hỗ trợ».",
            ));
        }
        if self.catalog().procedure(procedure_code).is_none() {
            return Err(AppError::NotFound);
        }
        let subject = self
            .applicant_for_intake(officer, applicant, procedure_code)
            .await?;
        let how = super::filing::Filing {
            mode,
            portal_ref: None,
        };
        self.create_draft(officer, &subject, procedure_code, &agency_id, how, values)
            .await
    }

    /// The applicant's account, found by personal ID, or made for them without a password
    /// (they sign in later through the national identity service). A new account takes its
    /// facts from the population registry when it answers; the typed name must match them.
    async fn applicant_for_intake(
        &self,
        officer: &CurrentUser,
        input: &ApplicantInput,
        procedure_code: &str,
    ) -> Result<CurrentUser> {
        let mut fields = BTreeMap::new();
        let personal_id = input.personal_id.trim().to_string();
        if let Err(e) = ident::check_personal_id(&personal_id) {
            fields.insert("personal_id".to_string(), e.to_string());
        }
        let name = text::clean(&input.full_name);
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            fields.insert(
                "full_name".to_string(),
                "Vui lòng nhập họ và tên người nộp (tối đa 100 ký tự).".to_string(),
            );
        }
        let phone = match input
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => match ident::normalize_mobile(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    fields.insert("phone".to_string(), e.to_string());
                    None
                }
            },
            None => None,
        };
        let email = input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string);
        if email
            .as_deref()
            .is_some_and(|e| e.len() > 200 || !e.contains('@') || e.contains(char::is_whitespace))
        {
            fields.insert(
                "email".to_string(),
                "Địa chỉ thư điện tử không hợp lệ.".to_string(),
            );
        }
        let invalid = |fields: BTreeMap<String, String>| AppError::Invalid {
            message: format!("Thông tin người nộp còn {} mục cần sửa.", fields.len()),
            fields,
        };
        if !fields.is_empty() {
            return Err(invalid(fields));
        }
        let login = self.vault.blind_index(PERSONAL_ID_INDEX, &personal_id);
        let name_mismatch = |what: &str| {
            BTreeMap::from([(
                "full_name".to_string(),
                format!(
                    "Họ tên không khớp với {what} của số định danh này. Hãy đối chiếu với căn cước của người nộp."
                ),
            )])
        };
        if let Some(row) = self.db.user_by_login(&self.tenant, &login).await? {
            let known = self.open_text(&row.display_name_sealed)?;
            if text::fold(&known) != text::fold(&name) {
                return Err(invalid(name_mismatch("tài khoản đã có")));
            }
            return self.user_from_row(&row);
        }

        let purpose = format!("Tiếp nhận hồ sơ thủ tục {procedure_code} tại Bộ phận Một cửa");
        let mut profile = json!({"personal_id": personal_id, "full_name": name});
        let mut answered = None;
        if let Some(client) = &self.registry {
            let answer = client.person(&personal_id, &purpose).await;
            answered = Some(answer.is_ok());
            match answer {
                Ok(person) => {
                    if text::fold(&person.full_name) != text::fold(&name) {
                        return Err(invalid(name_mismatch("Cơ sở dữ liệu quốc gia về dân cư")));
                    }
                    profile = serde_json::to_value(&person)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                }
                Err(e @ RegistryError::NotFound) => {
                    return Err(invalid(BTreeMap::from([(
                        "personal_id".to_string(),
                        e.to_string(),
                    )])));
                }
                // Unanswered: the officer has the ID card in hand; the facts stay unverified.
                Err(_) => {}
            }
        }
        if let Some(p) = &phone {
            profile["phone"] = json!(p);
        }
        if let Some(e) = &email {
            profile["email"] = json!(e);
        }
        let display = profile["full_name"].as_str().unwrap_or(&name).to_string();
        let row = self
            .passwordless_account(&login, &display, &profile)
            .await?;
        if let Some(answered) = answered {
            self.log_registry_read(officer, &row.id, None, answered, &purpose)
                .await?;
        }
        self.user_from_row(&row)
    }

    /// Makes a citizen's account with no password (they sign in later through the national
    /// identity service), or finds the one another desk or pull made a moment ago.
    pub(super) async fn passwordless_account(
        &self,
        login: &str,
        display_name: &str,
        profile: &serde_json::Value,
    ) -> Result<motcua_store::UserRow> {
        let id = new_id();
        // Beside the filing: the filing's own transaction claims its idempotency key.
        let mut tx = self.db.begin_aside().await?;
        let inserted = tx
            .insert_user(
                &self.tenant,
                &NewUser {
                    id: id.clone(),
                    login: login.to_string(),
                    // Not a PHC string, so no password ever matches it.
                    password_hash: "!".into(),
                    role: Role::Citizen.as_str().into(),
                    agency_id: None,
                    display_name_sealed: self.vault.seal_text(display_name),
                    name_tokens: super::lists::name_tokens(&self.vault, display_name),
                    profile_sealed: Some(self.vault.seal_text(&profile.to_string())),
                },
                now_micros(),
            )
            .await;
        match inserted {
            Ok(()) => {
                tx.commit().await?;
                self.db.user(&id).await?
            }
            Err(_) => {
                drop(tx);
                self.db.user_by_login(&self.tenant, login).await?
            }
        }
        .ok_or_else(|| AppError::Internal("applicant account not found".into()))
    }
}
