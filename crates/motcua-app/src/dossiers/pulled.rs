//! Dossiers filed on the national public service portal for this province's procedures arrive
//! in the same intake queue as motcua's own: pulled page by page, each taken once (the portal's
//! reference is unique), filed as the applicant's own with the channel marked. The officer checks
//! them at intake like any online dossier.

use super::filing::Filing;
use super::*;
use motcua_domain::channel::FilingMode;
use motcua_integrations::portal::FiledDossier;

use crate::identity::PERSONAL_ID_INDEX;

/// Dossiers asked for per page.
const PULL_PAGE: usize = 100;

impl App {
    /// Takes in what was filed on the national portal since the last pull; answers how many new
    /// dossiers came in. Safe to run on several nodes at once and after a crash at any point.
    pub async fn pull_portal_dossiers(&self) -> Result<usize> {
        let Some(portal) = self.notifier.portal.clone() else {
            return Ok(0);
        };
        let mut cursor = self.db.portal_cursor(&self.tenant).await?;
        let mut taken = 0;
        loop {
            let page = portal
                .filed(cursor, PULL_PAGE)
                .await
                .map_err(|e| AppError::Internal(format!("national portal pull: {e}")))?;
            for item in &page.items {
                match self.take_filed(item).await {
                    Ok(true) => taken += 1,
                    Ok(false) => {}
                    // A dossier that can never be taken in (not this province's procedure) does
                    // not hold up the others; it is reported, not retried.
                    Err(e @ AppError::Invalid { .. }) => tracing::warn!(
                        reference = %item.ma_ho_so_quoc_gia,
                        error = %e,
                        "dossier from the national portal not taken in"
                    ),
                    // Anything else: the page is read again next time (what was taken stays
                    // taken, a half-taken one is finished).
                    Err(e) => return Err(e),
                }
            }
            let full = page.items.len() >= PULL_PAGE;
            if page.next == cursor {
                break;
            }
            cursor = page.next;
            self.db.set_portal_cursor(&self.tenant, cursor).await?;
            if !full {
                break;
            }
        }
        Ok(taken)
    }

    /// Files one pulled dossier; `false` when it was already in.
    async fn take_filed(&self, item: &FiledDossier) -> Result<bool> {
        let reference = item.ma_ho_so_quoc_gia.trim();
        if reference.is_empty() || reference.len() > 100 {
            return Err(AppError::invalid("Hồ sơ từ Cổng quốc gia thiếu mã hồ sơ."));
        }
        if let Some(d) = self
            .db
            .dossier_by_portal_ref(&self.tenant, reference)
            .await?
        {
            // Taken in before but not filed (stopped in between): finish it.
            if d.state == DossierState::Draft.as_str() {
                let applicant = self.applicant_row(&d.applicant_id).await?;
                self.apply(&applicant, d, &Command::plain(Action::Submit))
                    .await?;
            }
            return Ok(false);
        }
        let catalog = self.catalog();
        let p = catalog
            .procedure(&item.ma_tthc)
            .ok_or_else(|| AppError::invalid("Thủ tục không thuộc danh mục của tỉnh."))?;
        let agency = catalog
            .agencies_for(p)
            .into_iter()
            .find(|a| a.code == item.ma_co_quan)
            .map(|a| a.id.clone())
            .ok_or_else(|| AppError::invalid("Cơ quan không giải quyết thủ tục này."))?;
        let applicant = self.portal_applicant(item).await?;
        let how = Filing {
            mode: FilingMode::NationalPortal,
            portal_ref: Some(reference),
        };
        let id = match self
            .create_draft(&applicant, &applicant, &p.code, &agency, how, &item.to_khai)
            .await
        {
            Ok(id) => id,
            // Another node took it in a moment ago.
            Err(AppError::Internal(_) | AppError::Storage(_))
                if self
                    .db
                    .dossier_by_portal_ref(&self.tenant, reference)
                    .await?
                    .is_some() =>
            {
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let d = self
            .db
            .dossier(&self.tenant, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Filed as it came: the officer judges completeness at intake, as for any online dossier.
        self.apply(&applicant, d, &Command::plain(Action::Submit))
            .await?;
        Ok(true)
    }

    /// The applicant's account, or a new one without a password from what the national portal
    /// says (it verified the person through the national identity service).
    async fn portal_applicant(&self, item: &FiledDossier) -> Result<CurrentUser> {
        let personal_id = item.dinh_danh_chs.trim();
        motcua_domain::ident::check_personal_id(personal_id)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let name = text::clean(&item.chu_ho_so);
        if name.is_empty() {
            return Err(AppError::invalid("Hồ sơ từ Cổng quốc gia thiếu họ tên."));
        }
        let login = self.vault.blind_index(PERSONAL_ID_INDEX, personal_id);
        if let Some(row) = self.db.user_by_login(&self.tenant, &login).await? {
            return self.user_from_row(&row);
        }
        let mut profile = json!({"personal_id": personal_id, "full_name": name});
        if let Some(phone) = item.so_dien_thoai.as_deref()
            && let Ok(phone) = motcua_domain::ident::normalize_mobile(phone)
        {
            profile["phone"] = json!(phone);
        }
        if let Some(email) = item.email.as_deref().map(str::trim)
            && email.contains('@')
            && email.len() <= 200
        {
            profile["email"] = json!(email);
        }
        let row = self.passwordless_account(&login, &name, &profile).await?;
        self.user_from_row(&row)
    }

    async fn applicant_row(&self, user_id: &str) -> Result<CurrentUser> {
        let row = self
            .db
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::Internal("applicant account not found".into()))?;
        self.user_from_row(&row)
    }
}
