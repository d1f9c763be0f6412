//! One action on many dossiers at once, where the law lets an officer take it without judging
//! each dossier on its own page (receiving complete online dossiers, returning results that are
//! ready). Each dossier is still decided and recorded on its own: one refusal does not undo the
//! others, and the answer says what happened to each.

use serde::Serialize;

use super::*;

/// Most dossiers in one bulk action.
pub const MAX_BULK: usize = 100;

/// What happened to one dossier of a bulk action.
#[derive(Debug, Clone, Serialize)]
pub struct BulkOutcome {
    pub id: String,
    pub code: Option<String>,
    /// The Vietnamese reason when the action was refused for this dossier.
    pub error: Option<String>,
}

impl BulkOutcome {
    pub fn is_done(&self) -> bool {
        self.error.is_none()
    }
}

impl App {
    /// Takes `action` on each of `ids`, in order.
    pub async fn act_on_many(
        &self,
        user: &CurrentUser,
        ids: &[String],
        action: Action,
    ) -> Result<Vec<BulkOutcome>> {
        if !action.allows_bulk() {
            return Err(AppError::invalid(format!(
                "Thao tác «{}» phải thực hiện trên từng hồ sơ.",
                action.label()
            )));
        }
        if ids.is_empty() {
            return Err(AppError::invalid("Hãy chọn ít nhất một hồ sơ."));
        }
        if ids.len() > MAX_BULK {
            return Err(AppError::invalid(format!(
                "Mỗi lần chọn tối đa {MAX_BULK} hồ sơ."
            )));
        }
        let mut out = Vec::with_capacity(ids.len());
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
            let outcome = match self.act(user, id, &Command::plain(action)).await {
                Ok(code) => BulkOutcome {
                    id: id.clone(),
                    code: Some(code),
                    error: None,
                },
                Err(e @ (AppError::Internal(_) | AppError::Storage(_))) => {
                    tracing::warn!(error = %crate::error::chain(&e), "bulk action failed on one dossier");
                    BulkOutcome {
                        id: id.clone(),
                        code: None,
                        error: Some("Lỗi hệ thống, hãy thử lại hồ sơ này.".into()),
                    }
                }
                Err(e) => BulkOutcome {
                    id: id.clone(),
                    code: None,
                    error: Some(e.to_string()),
                },
            };
            out.push(outcome);
        }
        Ok(out)
    }
}
