//! A leader's recorded correction of a returned result, the only change a returned dossier
//! takes (DOMAIN.md, "Dossier lifecycle"). In one transaction: the correction event (with its
//! reason), the corrected file as a new result, its signature with the agency's current key, the
//! revocation of every earlier signature, the applicant's document store swapped to the new
//! result, the notice and the portal sync.

use motcua_domain::TransitionError;
use motcua_store::{AgencyKeyRow, PersonalDocumentRow, Tx};

use super::filing::{StoredRef, clean_file_name};
use super::handling::Extra;
use super::*;

/// The corrected result, stored and ready to be recorded in the correction's transaction.
pub(crate) struct Corrected {
    attachment_id: String,
    file_name: String,
    file: StoredRef,
    /// The agency's key in force, fetched before the transaction.
    key: AgencyKeyRow,
    /// The procedure's result title, for the applicant's document store.
    title: String,
    /// The SHA-256 of the signatures this correction revokes (kept in the event's data, so the
    /// hash-chained history says what was revoked).
    revokes: Vec<String>,
}

impl App {
    /// The leader of the handling agency corrects a returned dossier's result with `reason` and
    /// the corrected file; returns the new result's attachment id.
    pub async fn correct_result(
        &self,
        user: &CurrentUser,
        id: &str,
        reason: Option<&str>,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let d = self.visible_dossier(user, id).await?;
        let cmd = Command {
            reason: reason.map(str::to_string),
            ..Command::plain(Action::CorrectResult)
        };
        // Who and when first, so a wrong user learns nothing from the checks of the file.
        match dossier::decide(self.facts(&d)?, user.role, relation(user, &d), &cmd) {
            Ok(_) => {}
            Err(TransitionError::ReasonRequired) => {
                return Err(AppError::invalid_field(
                    "reason",
                    "Vui lòng nêu rõ lý do đính chính kết quả.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        if bytes.is_empty() {
            return Err(AppError::invalid_field(
                "file",
                "Vui lòng chọn tệp kết quả đính chính.",
            ));
        }
        let signed = self.db.signed_results(&d.id).await?;
        let sha256 = motcua_files::sha256_hex(bytes);
        if signed.iter().any(|s| s.signature.sha256 == sha256) {
            return Err(AppError::invalid_field(
                "file",
                "Tệp này trùng với kết quả đã ký; hãy chọn bản kết quả đã đính chính.",
            ));
        }
        let revokes = signed
            .into_iter()
            .filter(|s| s.revoked_at.is_none())
            .map(|s| s.signature.sha256)
            .collect();
        let key = self.signing_key(&d.agency_id).await?;
        let title = self.procedure_of(&d).await?.definition.result;
        let stored = self.files.put(bytes).await?;
        let corrected = Corrected {
            attachment_id: new_id(),
            file_name: clean_file_name(file_name),
            file: StoredRef {
                key: stored.key,
                sha256: stored.sha256,
                content_type: stored.content_type.into(),
                size: stored.size as i64,
            },
            key,
            title,
            revokes,
        };
        let attachment_id = corrected.attachment_id.clone();
        let extra = Extra {
            corrected: Some(corrected),
            ..Extra::default()
        };
        self.apply_with(user, d, &cmd, extra).await?;
        Ok(attachment_id)
    }

    /// Inside the correction's transaction, after its event (`seq`): the new result, its
    /// signature, the revocation of the earlier ones and the applicant's document store.
    pub(super) async fn record_correction(
        &self,
        tx: &mut Tx,
        user: &CurrentUser,
        d: &DossierRow,
        c: &Corrected,
        seq: i64,
        at: i64,
    ) -> Result<()> {
        tx.insert_attachment(
            &d.id,
            &NewAttachment {
                id: c.attachment_id.clone(),
                purpose: "result".into(),
                component_index: None,
                file_name_sealed: self.vault.seal_text(&c.file_name),
                content_type: c.file.content_type.clone(),
                size_bytes: c.file.size,
                sha256: c.file.sha256.clone(),
                object_key: c.file.key.clone(),
                uploaded_by: user.id.clone(),
                uploaded_at: at,
            },
        )
        .await?;
        tx.revoke_result_signatures(&d.id, at, seq).await?;
        self.sign_result(tx, d, &c.key, &c.attachment_id, &c.file.sha256, at)
            .await?;
        tx.forget_results_of_dossier(&d.id).await?;
        tx.keep_document(
            &self.tenant,
            &PersonalDocumentRow {
                id: new_id(),
                owner_id: d.applicant_id.clone(),
                kind: "result".into(),
                title_sealed: self.vault.seal_text(&c.title),
                attachment_id: c.attachment_id.clone(),
                source_dossier_id: d.id.clone(),
                sha256: c.file.sha256.clone(),
                added_at: at,
            },
        )
        .await?;
        Ok(())
    }
}

/// What the correction event's data records: the new result and what it revokes.
pub(super) fn event_data(c: &Corrected) -> serde_json::Value {
    json!({
        "attachment": c.attachment_id,
        "sha256": c.file.sha256,
        "revoked": c.revokes,
    })
}
