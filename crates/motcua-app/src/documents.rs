//! The personal document store: what an agency issued to the citizen (results, once returned)
//! and what it checked at intake (components, once received) is kept for the citizen, who
//! reuses it in a new dossier with one tick instead of uploading it again. Only the owner sees
//! their store; removing a document leaves the dossiers it came from as they are.

use motcua_domain::Role;
use motcua_domain::dossier::Action;
use motcua_store::{DocumentKey, DossierRow, PersonalDocumentRow, Tx};
use serde::Serialize;

use crate::views::ts;
use crate::{App, AppError, CurrentUser, Page, PageRequest, Result, new_id};

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: String,
    /// `result` or `component`.
    pub kind: String,
    pub kind_label: &'static str,
    pub title: String,
    /// The dossier it came from.
    pub source_code: Option<String>,
    pub added_at: jiff::Timestamp,
    /// Download it at `/files/{attachment_id}`.
    pub attachment_id: String,
    pub sha256: String,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "result" => "Kết quả do cơ quan cấp",
        _ => "Giấy tờ đã được cơ quan kiểm tra khi tiếp nhận",
    }
}

impl App {
    fn citizen(user: &CurrentUser) -> Result<()> {
        if user.role == Role::Citizen {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Kho giấy tờ là của người dân, doanh nghiệp.".into(),
            ))
        }
    }

    /// A page of the citizen's documents, newest first.
    pub async fn my_documents(
        &self,
        user: &CurrentUser,
        page: &PageRequest,
    ) -> Result<Page<DocumentView>> {
        Self::citizen(user)?;
        let limit = page.size()?;
        let after = match page.parts(2)? {
            Some(p) => Some(DocumentKey {
                added_at: crate::dossiers::lists::number(&p[0])?,
                id: p[1].clone(),
            }),
            None => None,
        };
        let mut rows = self
            .db
            .documents_of(&self.tenant, &user.id, after.as_ref(), limit + 1)
            .await?;
        let next = crate::dossiers::lists::cut_page(&mut rows, limit, |r| {
            vec![r.document.added_at.to_string(), r.document.id.clone()]
        });
        let items = rows
            .into_iter()
            .map(|r| {
                let d = r.document;
                Ok(DocumentView {
                    kind_label: kind_label(&d.kind),
                    title: self.open_text(&d.title_sealed)?,
                    source_code: r.source_code,
                    added_at: ts(d.added_at),
                    id: d.id,
                    kind: d.kind,
                    attachment_id: d.attachment_id,
                    sha256: d.sha256,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page { items, next })
    }

    /// Removes a document from the citizen's store.
    pub async fn forget_document(&self, user: &CurrentUser, id: &str) -> Result<()> {
        Self::citizen(user)?;
        if self.db.forget_document(&user.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Keeps, inside the action's transaction, what the action makes the citizen's: the checked
    /// components on receipt, the results on return (of `attachments`, read before it began).
    pub(crate) async fn keep_documents(
        &self,
        tx: &mut Tx,
        d: &DossierRow,
        p: &crate::ProcedureView,
        attachments: &[motcua_store::AttachmentRow],
        action: Action,
        at: i64,
    ) -> Result<()> {
        let purpose = match action {
            Action::Receive => "component",
            Action::ReturnResult => "result",
            _ => return Ok(()),
        };
        for a in attachments {
            if a.purpose != purpose {
                continue;
            }
            let title = match purpose {
                "result" => p.definition.result.clone(),
                _ => a
                    .component_index
                    .and_then(|i| p.definition.components.get(i as usize))
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "Giấy tờ".into()),
            };
            tx.keep_document(
                &self.tenant,
                &PersonalDocumentRow {
                    id: new_id(),
                    owner_id: d.applicant_id.clone(),
                    kind: purpose.into(),
                    title_sealed: self.vault.seal_text(&title),
                    attachment_id: a.id.clone(),
                    source_dossier_id: d.id.clone(),
                    sha256: a.sha256.clone(),
                    added_at: at,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The owner's document by id, with the attachment it points at.
    pub(crate) async fn own_document(
        &self,
        user: &CurrentUser,
        id: &str,
    ) -> Result<(PersonalDocumentRow, motcua_store::AttachmentRow)> {
        Self::citizen(user)?;
        let doc = self
            .db
            .document_of(&self.tenant, &user.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let a = self
            .db
            .attachment(&doc.attachment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((doc, a))
    }
}
