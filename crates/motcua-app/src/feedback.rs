//! Feedback (phản ánh, kiến nghị): citizens give it on their own dossier once its handling has
//! ended, or on a procedure at one of its agencies; the intake officers and leaders of that agency
//! read and answer it; citizens read the answers. The free text and the answer are sealed; an
//! official's reading of feedback text is recorded in the author's access log.

use std::collections::BTreeMap;

use jiff::Timestamp;
use motcua_domain::Role;
use motcua_domain::feedback::{self, Cause, FeedbackError};
use motcua_store::{AccessLogEntry, DossierRow, FeedbackListRow, FeedbackRow, StoreError};
use serde::Serialize;

use crate::dossiers::state_of;
use crate::views::ts;
use crate::{App, AppError, CurrentUser, Page, PageRequest, Result, new_id, now_micros};

/// Feedback as typed in the form or sent to the API, not yet judged.
#[derive(Debug, Clone, Default)]
pub struct FeedbackInput {
    /// Cause codes (`device`, `own_network`, ...).
    pub causes: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseView {
    pub code: &'static str,
    pub label: &'static str,
}

/// One feedback item as its author or the answering agency sees it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackView {
    pub id: String,
    pub dossier_id: Option<String>,
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub procedure_name: Option<String>,
    pub agency_name: String,
    pub causes: Vec<CauseView>,
    pub text: String,
    pub created_at: Timestamp,
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
    /// The author's word on the answer, once given.
    pub answer_satisfied: Option<bool>,
}

/// The dossier a feedback form is about, for its heading.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackTarget {
    pub dossier_id: String,
    pub dossier_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub state_label: &'static str,
}

/// Each problem's message by the field it belongs next to (the first one per field).
fn fields_of(errors: &[FeedbackError], field_override: Option<&str>) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for e in errors {
        let field = field_override.unwrap_or(e.field()).to_string();
        fields.entry(field).or_insert_with(|| e.to_string());
    }
    fields
}

/// Every problem of a form at once, each next to its field.
fn invalid(fields: BTreeMap<String, String>) -> AppError {
    let message = match fields.values().next() {
        Some(only) if fields.len() == 1 => only.clone(),
        _ => format!("Còn {} mục cần sửa.", fields.len()),
    };
    AppError::Invalid { message, fields }
}

fn citizen_only(user: &CurrentUser) -> Result<()> {
    if user.role == Role::Citizen {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Chỉ người dân, doanh nghiệp mới gửi và xem phản ánh, kiến nghị của mình.".into(),
        ))
    }
}

/// The agency whose feedback `user` reads and answers: intake officers and leaders only.
fn answering_agency(user: &CurrentUser) -> Result<&str> {
    match (user.role, user.agency_id.as_deref()) {
        (Role::IntakeOfficer | Role::Leader, Some(agency)) => Ok(agency),
        _ => Err(AppError::Forbidden(
            "Chỉ công chức tiếp nhận và lãnh đạo cơ quan mới xem và trả lời phản ánh, kiến nghị."
                .into(),
        )),
    }
}

impl App {
    /// The applicant's own dossier whose handling has ended; others' dossiers are `NotFound`.
    async fn feedback_dossier(&self, user: &CurrentUser, dossier_id: &str) -> Result<DossierRow> {
        citizen_only(user)?;
        let d = self.visible_dossier(user, dossier_id).await?;
        if d.applicant_id != user.id {
            return Err(AppError::NotFound);
        }
        if !feedback::accepts_feedback(state_of(&d)?) {
            return Err(AppError::invalid(
                "Chỉ gửi phản ánh, kiến nghị về hồ sơ khi đã có kết quả hoặc đã kết thúc xử lý.",
            ));
        }
        Ok(d)
    }

    /// What the feedback form on a dossier shows about it (the applicant only).
    pub async fn feedback_target(
        &self,
        user: &CurrentUser,
        dossier_id: &str,
    ) -> Result<FeedbackTarget> {
        let d = self.feedback_dossier(user, dossier_id).await?;
        let procedure = self.procedure_of(&d).await?;
        Ok(FeedbackTarget {
            dossier_code: d.code.clone().unwrap_or_default(),
            procedure_name: procedure.name,
            agency_name: self
                .catalog()
                .agency(&d.agency_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            state_label: state_of(&d)?.label(),
            dossier_id: d.id,
        })
    }

    /// The applicant's feedback on their dossier, after its handling ended; returns its id.
    pub async fn give_dossier_feedback(
        &self,
        user: &CurrentUser,
        dossier_id: &str,
        input: &FeedbackInput,
    ) -> Result<String> {
        let d = self.feedback_dossier(user, dossier_id).await?;
        self.store_feedback(user, Some(d.id), Some(d.procedure_id), d.agency_id, input)
            .await
    }

    /// A citizen's feedback on a procedure, to one of the agencies that handle it.
    pub async fn give_procedure_feedback(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        input: &FeedbackInput,
    ) -> Result<String> {
        citizen_only(user)?;
        let catalog = self.catalog();
        let p = catalog
            .procedure(procedure_code)
            .ok_or(AppError::NotFound)?;
        if !catalog.agencies_for(p).iter().any(|a| a.id == agency_id) {
            // Judge the rest too, so that every problem comes back at once.
            let mut fields = feedback::validate(&input.causes, &input.text)
                .err()
                .map(|e| fields_of(&e, None))
                .unwrap_or_default();
            fields.insert(
                "agency_id".into(),
                "Vui lòng chọn cơ quan nhận phản ánh, kiến nghị.".into(),
            );
            return Err(invalid(fields));
        }
        self.store_feedback(user, None, Some(p.id.clone()), agency_id.to_string(), input)
            .await
    }

    async fn store_feedback(
        &self,
        user: &CurrentUser,
        dossier_id: Option<String>,
        procedure_id: Option<String>,
        agency_id: String,
        input: &FeedbackInput,
    ) -> Result<String> {
        let fb = feedback::validate(&input.causes, &input.text)
            .map_err(|e| invalid(fields_of(&e, None)))?;
        let id = new_id();
        self.db
            .insert_feedback(&FeedbackRow {
                id: id.clone(),
                tenant_id: self.tenant.clone(),
                dossier_id,
                procedure_id,
                agency_id,
                author_id: user.id.clone(),
                causes: Cause::join(&fb.causes),
                text_sealed: (!fb.text.is_empty()).then(|| self.vault.seal_text(&fb.text)),
                created_at: now_micros(),
                answer_sealed: None,
                answered_by: None,
                answered_at: None,
                answer_satisfied: None,
            })
            .await?;
        Ok(id)
    }

    /// The author says whether the agency's answer satisfied them; once, after the answer.
    pub async fn rate_feedback_answer(
        &self,
        user: &CurrentUser,
        feedback_id: &str,
        satisfied: bool,
    ) -> Result<()> {
        citizen_only(user)?;
        let row = self
            .db
            .feedback(&self.tenant, feedback_id)
            .await?
            .filter(|f| f.author_id == user.id)
            .ok_or(AppError::NotFound)?;
        if row.answered_at.is_none() {
            return Err(AppError::invalid(
                "Cơ quan chưa trả lời phản ánh này; hãy đánh giá sau khi có câu trả lời.",
            ));
        }
        match self
            .db
            .rate_feedback_answer(&self.tenant, &row.id, &user.id, satisfied, now_micros())
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict) => {
                Err(AppError::invalid("Bạn đã đánh giá câu trả lời này rồi."))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A citizen's own feedback with the agencies' answers, newest first.
    pub async fn my_feedback(
        &self,
        user: &CurrentUser,
        page: &PageRequest,
    ) -> Result<Page<FeedbackView>> {
        citizen_only(user)?;
        let limit = page.size()?;
        let after = feedback_key(page)?;
        let mut rows = self
            .db
            .feedback_of_author(&self.tenant, &user.id, after.as_ref(), limit + 1)
            .await?;
        let next = next_feedback(&mut rows, limit, false);
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| self.feedback_view(r))
                .collect::<Result<_>>()?,
            next,
        })
    }

    /// The feedback the official's agency answers, unanswered first. Reading the text is
    /// recorded in each author's access log.
    pub async fn agency_feedback(
        &self,
        user: &CurrentUser,
        page: &PageRequest,
    ) -> Result<Page<FeedbackView>> {
        let agency = answering_agency(user)?;
        let limit = page.size()?;
        let after = feedback_key(page)?;
        let mut rows = self
            .db
            .feedback_of_agency(&self.tenant, agency, after.as_ref(), limit + 1)
            .await?;
        let next = next_feedback(&mut rows, limit, true);
        let now = now_micros();
        let mut tx = self.db.begin().await?;
        for r in rows.iter().filter(|r| r.feedback.text_sealed.is_some()) {
            tx.log_access(&AccessLogEntry {
                id: new_id(),
                at: now,
                actor_id: user.id.clone(),
                actor_role: user.role.as_str().into(),
                subject_user_id: Some(r.feedback.author_id.clone()),
                dossier_id: r.feedback.dossier_id.clone(),
                action: "read_feedback".into(),
                purpose: "Giải quyết phản ánh, kiến nghị".into(),
            })
            .await?;
        }
        tx.commit().await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| self.feedback_view(r))
                .collect::<Result<_>>()?,
            next,
        })
    }

    /// The agency's answer to one feedback item, given once.
    pub async fn answer_feedback(
        &self,
        user: &CurrentUser,
        feedback_id: &str,
        answer: &str,
    ) -> Result<()> {
        let agency = answering_agency(user)?;
        let answer = feedback::validate_answer(answer)
            .map_err(|e| invalid(fields_of(&[e], Some("answer"))))?;
        let row = self
            .db
            .feedback(&self.tenant, feedback_id)
            .await?
            .filter(|f| f.agency_id == agency)
            .ok_or(AppError::NotFound)?;
        let already = || AppError::invalid("Phản ánh, kiến nghị này đã được trả lời.");
        if row.answered_at.is_some() {
            return Err(already());
        }
        let mut tx = self.db.begin().await?;
        match tx
            .answer_feedback(
                &self.tenant,
                &row.id,
                &self.vault.seal_text(&answer),
                &user.id,
                now_micros(),
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Err(already()),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(())
    }

    fn feedback_view(&self, r: FeedbackListRow) -> Result<FeedbackView> {
        let f = r.feedback;
        let open = |sealed: &Option<String>| -> Result<Option<String>> {
            sealed.as_deref().map(|s| self.open_text(s)).transpose()
        };
        Ok(FeedbackView {
            causes: Cause::split(&f.causes)
                .into_iter()
                .map(|c| CauseView {
                    code: c.as_str(),
                    label: c.label(),
                })
                .collect(),
            text: open(&f.text_sealed)?.unwrap_or_default(),
            answer: open(&f.answer_sealed)?,
            created_at: ts(f.created_at),
            answered_at: f.answered_at.map(ts),
            answer_satisfied: f.answer_satisfied,
            id: f.id,
            dossier_id: f.dossier_id,
            dossier_code: r.dossier_code,
            procedure_code: r.procedure_code,
            procedure_name: r.procedure_name,
            agency_name: r.agency_name,
        })
    }
}

/// Where a feedback page resumes, from its cursor.
fn feedback_key(page: &PageRequest) -> Result<Option<motcua_store::FeedbackKey>> {
    Ok(match page.parts(3)? {
        Some(p) => Some(motcua_store::FeedbackKey {
            group: crate::dossiers::lists::number(&p[0])?,
            created_at: crate::dossiers::lists::number(&p[1])?,
            id: p[2].clone(),
        }),
        None => None,
    })
}

/// Cuts the one line read beyond the page and gives the next page's cursor when it was there;
/// `grouped`: answered lines come after the unanswered (the agency's list).
fn next_feedback(
    rows: &mut Vec<motcua_store::FeedbackListRow>,
    limit: i64,
    grouped: bool,
) -> Option<String> {
    crate::dossiers::lists::cut_page(rows, limit, |r| {
        let group = i64::from(grouped && r.feedback.answered_at.is_some());
        vec![
            group.to_string(),
            r.feedback.created_at.to_string(),
            r.feedback.id.clone(),
        ]
    })
}
