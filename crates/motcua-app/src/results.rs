//! Signed results and their public check. When the leader approves, every result file's SHA-256
//! is signed with the agency's Ed25519 key in the approval's own transaction; anyone holding the
//! result can check it at `/verify/{dossier code}` without signing in, and sees no personal data
//! there. A leader's correction of a returned result revokes the earlier signatures and signs
//! the corrected file; the check then reports the old file as revoked.

use motcua_domain::DossierState;
use motcua_domain::seal::{self, ResultCheck};
use motcua_store::{AgencyKeyRow, DossierRow, ResultSignatureRow, Tx};
use motcua_vault::signing;
use serde::Serialize;

use crate::dossiers::state_of;
use crate::views::ts;
use crate::{App, AppError, CurrentUser, Result, new_id, now_micros};

/// One signed result as the public check shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignedResultView {
    pub sha256: String,
    pub signed_at: jiff::Timestamp,
    /// The first 16 hex digits of the agency's public key, to compare with what it publishes.
    pub key_fingerprint: String,
    pub public_key: String,
    /// When a leader's correction revoked it (it was replaced by the corrected result).
    pub revoked_at: Option<jiff::Timestamp>,
    pub check: ResultCheck,
    pub check_label: &'static str,
}

impl SignedResultView {
    pub fn is_valid(&self) -> bool {
        self.check == ResultCheck::Valid
    }
}

impl FileCheckView {
    pub fn is_valid(&self) -> bool {
        self.check == ResultCheck::Valid
    }
}

/// The public check of a dossier's results.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationView {
    pub code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub state_label: &'static str,
    pub results: Vec<SignedResultView>,
}

/// What a check of an uploaded file found.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheckView {
    pub sha256: String,
    pub check: ResultCheck,
    pub check_label: &'static str,
}

impl App {
    /// The agency's key in force, made on first use. Call it before opening the transaction
    /// that signs (it may write one of its own).
    pub(crate) async fn signing_key(&self, agency_id: &str) -> Result<AgencyKeyRow> {
        if let Some(key) = self.db.current_agency_key(agency_id).await? {
            return Ok(key);
        }
        self.new_agency_key(agency_id).await
    }

    async fn new_agency_key(&self, agency_id: &str) -> Result<AgencyKeyRow> {
        let made = self.vault.new_signing_key();
        let key = AgencyKeyRow {
            id: new_id(),
            agency_id: agency_id.to_string(),
            public_key: made.public_hex,
            secret_sealed: made.secret_sealed,
            created_at: now_micros(),
            retired_at: None,
        };
        self.db.rotate_agency_key(&self.tenant, &key).await?;
        Ok(key)
    }

    /// Administrators: puts a new key in force for an agency (what the old one signed still
    /// verifies); returns the new public key.
    pub async fn rotate_agency_key(&self, user: &CurrentUser, agency_code: &str) -> Result<String> {
        if user.role != motcua_domain::Role::Admin {
            return Err(AppError::Forbidden(
                "Chỉ quản trị hệ thống đổi khóa ký của cơ quan.".into(),
            ));
        }
        let agency = self
            .catalog()
            .agencies
            .iter()
            .find(|a| a.code == agency_code)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(self.new_agency_key(&agency.id).await?.public_key)
    }

    /// Signs every result file of the dossier (its `attachments`, read before the transaction)
    /// inside the approval's transaction.
    pub(crate) async fn sign_results(
        &self,
        tx: &mut Tx,
        d: &DossierRow,
        attachments: &[motcua_store::AttachmentRow],
        key: &AgencyKeyRow,
        at: i64,
    ) -> Result<()> {
        for a in attachments {
            if a.purpose == "result" {
                self.sign_result(tx, d, key, &a.id, &a.sha256, at).await?;
            }
        }
        Ok(())
    }

    /// Signs one result file (its SHA-256 bound to the dossier, the agency and the instant).
    pub(crate) async fn sign_result(
        &self,
        tx: &mut Tx,
        d: &DossierRow,
        key: &AgencyKeyRow,
        attachment_id: &str,
        sha256: &str,
        at: i64,
    ) -> Result<()> {
        let code = d.code.clone().unwrap_or_default();
        let agency_code = self
            .catalog()
            .agency(&d.agency_id)
            .map(|a| a.code.clone())
            .unwrap_or_default();
        let text = seal::message(&code, &agency_code, sha256, ts(at));
        let signature = self
            .vault
            .sign(&key.secret_sealed, text.as_bytes())
            .map_err(|e| AppError::Internal(format!("signing key: {e}")))?;
        tx.insert_result_signature(
            &self.tenant,
            &ResultSignatureRow {
                id: new_id(),
                dossier_id: d.id.clone(),
                attachment_id: attachment_id.to_string(),
                key_id: key.id.clone(),
                sha256: sha256.to_string(),
                signed_at: at,
                signature,
            },
        )
        .await?;
        Ok(())
    }

    /// The public check of a dossier's signed results; `None` for an unknown code or one with
    /// no signed result yet.
    pub async fn verification(&self, code: &str) -> Result<Option<VerificationView>> {
        if !motcua_domain::code::looks_like_dossier_code(code) {
            return Ok(None);
        }
        let Some(d) = self.db.dossier_by_code(&self.tenant, code).await? else {
            return Ok(None);
        };
        let signed = self.db.signed_results(&d.id).await?;
        if signed.is_empty() {
            return Ok(None);
        }
        let agency = self.catalog().agency(&d.agency_id).cloned();
        let agency_code = agency.as_ref().map(|a| a.code.clone()).unwrap_or_default();
        let results = signed
            .into_iter()
            .map(|s| {
                let holds = signature_holds(code, &d.agency_id, &agency_code, &s);
                // A broken signature is reported as such even if it was also revoked.
                let check = match (holds, s.revoked_at) {
                    (false, _) => ResultCheck::Altered,
                    (true, Some(_)) => ResultCheck::Revoked,
                    (true, None) => ResultCheck::Valid,
                };
                SignedResultView {
                    sha256: s.signature.sha256,
                    signed_at: ts(s.signature.signed_at),
                    key_fingerprint: s.public_key.chars().take(16).collect(),
                    public_key: s.public_key,
                    revoked_at: s.revoked_at.map(ts),
                    check,
                    check_label: check.label(),
                }
            })
            .collect();
        let state = state_of(&d).unwrap_or(DossierState::ResultReady);
        Ok(Some(VerificationView {
            code: code.to_string(),
            procedure_name: self.procedure_of(&d).await?.name,
            agency_name: agency.map(|a| a.name).unwrap_or_default(),
            state_label: state.label(),
            results,
        }))
    }

    /// Checks a file someone holds against the dossier's signed results.
    pub async fn verify_file(&self, code: &str, bytes: &[u8]) -> Result<FileCheckView> {
        let view = self.verification(code).await?.ok_or(AppError::NotFound)?;
        let sha256 = motcua_files::sha256_hex(bytes);
        let check = view
            .results
            .iter()
            .filter(|r| r.sha256 == sha256)
            .map(|r| r.check)
            .min_by_key(|c| c.precedence())
            .unwrap_or(ResultCheck::NotThisResult);
        Ok(FileCheckView {
            sha256,
            check,
            check_label: check.label(),
        })
    }
}

/// Whether a stored signature is the dossier's agency's, over this result, as it was signed.
pub(crate) fn signature_holds(
    code: &str,
    agency_id: &str,
    agency_code: &str,
    s: &motcua_store::SignedResult,
) -> bool {
    let text = seal::message(
        code,
        agency_code,
        &s.signature.sha256,
        ts(s.signature.signed_at),
    );
    s.agency_id == agency_id
        && signing::verify(&s.public_key, text.as_bytes(), &s.signature.signature)
}
