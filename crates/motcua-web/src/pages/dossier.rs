//! A dossier's page, lists and queues, actions, the result upload and file downloads.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::dossier::Action;
use motcua_app::domain::urgency::Urgency;
use motcua_app::domain::{Command, DossierState, FieldType, Role};
use motcua_app::{AppError, CurrentUser, DossierView, PageRequest, QueueFilter, QueueView};
use serde::Deserialize;

use super::follow::StatusLink;
use super::{Layout, render, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;
use crate::multipart;

#[derive(Template)]
#[template(path = "dossiers.html")]
struct ListPage {
    layout: Layout,
    heading: &'static str,
    empty_text: &'static str,
    official: bool,
    queue: QueueView,
    /// The page after this one, and the first page when this is not it.
    next_href: Option<String>,
    first_href: Option<String>,
    q: String,
    csrf: String,
    /// The actions this official may take on several dossiers at once: (name, label).
    bulk_actions: Vec<(&'static str, &'static str)>,
    /// What was just done.
    notice: Option<&'static str>,
    /// Intake officers send the apology and new date from the list.
    can_apologize: bool,
    urgency: String,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    urgency: String,
    /// What was just done, to say so.
    #[serde(default)]
    done: String,
    /// Lines per page (1–200; 50 when absent).
    #[serde(default)]
    limit: Option<u32>,
    /// Where the page resumes: the `next` of the page before.
    #[serde(default)]
    cursor: String,
}

impl QueueQuery {
    pub fn page(&self) -> PageRequest {
        PageRequest {
            limit: self.limit,
            cursor: Some(self.cursor.clone()).filter(|c| !c.is_empty()),
        }
    }

    /// The query of the page after this one (`path?…`), keeping the filters.
    pub fn next_href(&self, path: &str, next: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            q.append_pair("q", &self.q);
        }
        if !self.urgency.is_empty() {
            q.append_pair("urgency", &self.urgency);
        }
        if let Some(l) = self.limit {
            q.append_pair("limit", &l.to_string());
        }
        q.append_pair("cursor", next);
        format!("{path}?{}", q.finish())
    }

    pub fn filter(&self) -> Result<QueueFilter, AppError> {
        let urgency = match self.urgency.as_str() {
            "" => None,
            u => Some(Urgency::parse(u).ok_or_else(|| AppError::BadQuery {
                message: "Mức độ khẩn không hợp lệ.".into(),
                fields: [("urgency".to_string(), "Không có giá trị này.".to_string())].into(),
            })?),
        };
        Ok(QueueFilter {
            q: Some(self.q.trim().chars().take(100).collect()),
            urgency,
        })
    }
}

/// Citizens see their own dossiers; officials their role's queue in their agency, most
/// pressing first, narrowed by code, procedure or applicant's name and by urgency.
pub async fn list(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Query(query): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let official = user.role.is_official();
    let (heading, empty_text, queue) = if official {
        (
            "Hồ sơ cần xử lý",
            "Không có hồ sơ nào đang chờ bạn xử lý.",
            s.app
                .work_queue(&user, &query.filter()?, &query.page())
                .await?,
        )
    } else if user.role == Role::Citizen {
        let page = s
            .app
            .my_dossiers(&user, &query.filter()?, &query.page())
            .await?;
        (
            "Hồ sơ của tôi",
            "Bạn chưa có hồ sơ nào.",
            QueueView {
                total: page.items.len(),
                lines: page.items,
                counts: Vec::new(),
                next: page.next,
            },
        )
    } else {
        return Err(AppError::Forbidden("Tài khoản này không xử lý hồ sơ.".into()).into());
    };
    let next_href = queue
        .next
        .as_deref()
        .map(|n| query.next_href("/dossiers", n));
    let first_href = (!query.cursor.is_empty()).then(|| {
        let mut first = query.next_href("/dossiers", "");
        first.truncate(first.len() - "cursor=".len());
        first.trim_end_matches(['?', '&']).to_string()
    });
    let bulk_actions = Action::ALL
        .into_iter()
        .filter(|a| official && a.allows_bulk() && a.role() == user.role)
        .map(|a| (a.as_str(), a.label()))
        .collect();
    let notice = match query.done.as_str() {
        "opinion" => Some("Đã gửi ý kiến của cơ quan. Hồ sơ đã trở lại cơ quan xin ý kiến."),
        _ => None,
    };
    render(&ListPage {
        can_apologize: user.role == Action::Apologize.role(),
        notice,
        csrf: user.csrf_token.clone(),
        bulk_actions,
        layout: Layout::new(heading, Some(user)),
        heading,
        empty_text,
        official,
        queue,
        next_href,
        first_href,
        q: query.q,
        urgency: query.urgency,
    })
}

pub struct ActionVm {
    pub name: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    pub reason_label: &'static str,
    pub is_rate: bool,
    pub needs_date: bool,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    layout: Layout,
    d: DossierView,
    csrf: String,
    actions: Vec<ActionVm>,
    upload_result: bool,
    /// The leader of the handling agency may correct the returned result.
    correct_result: bool,
    form_rows: Vec<(String, String)>,
    flash: Option<String>,
    error: Option<String>,
    /// The public status address as a QR code, for the applicant.
    status: Option<StatusLink>,
    /// Fees and how to pay them, when the procedure has any.
    fees: Option<super::payment::FeeVm>,
    /// The public check of the signed result, once approved.
    verify: Option<StatusLink>,
    /// The slips (PDF) the dossier's history calls for.
    slips: Vec<super::slips::SlipLink>,
}

fn dossier_page(
    user: CurrentUser,
    d: DossierView,
    flash: Option<String>,
    error: Option<String>,
) -> DossierPage {
    let actions = d
        .actions
        .iter()
        // Submitting goes through the form, which checks everything first; a correction has
        // its own form with the corrected file.
        .filter(|a| !matches!(a, Action::Submit | Action::Resubmit) && !a.carries_result_file())
        .map(|a| ActionVm {
            name: a.as_str(),
            label: a.label(),
            needs_reason: a.needs_reason(),
            reason_label: match a {
                Action::RequestSupplement => {
                    "Nội dung cần bổ sung (liệt kê đầy đủ, để người nộp bổ sung một lần)"
                }
                Action::Refuse => "Lý do từ chối",
                Action::Withdraw => "Lý do rút hồ sơ",
                Action::RequestSupplementInAppraisal => "Nội dung cần bổ sung, giải thích rõ lý do",
                Action::Consult => "Nội dung xin ý kiến và cơ quan được hỏi",
                Action::RecordOpinion => "Ý kiến trả lời đã nhận",
                Action::RequestPayment => "Nghĩa vụ tài chính cần thực hiện (loại, số tiền)",
                Action::StopProcessing => "Lý do dừng xử lý",
                Action::Apologize => "Lý do chậm trễ (nội dung thư xin lỗi)",
                _ => "Lý do",
            },
            is_rate: *a == Action::Rate,
            needs_date: *a == Action::Apologize,
            danger: matches!(
                a,
                Action::Refuse | Action::Withdraw | Action::StopProcessing
            ),
        })
        .collect();
    let form_rows = d
        .procedure
        .definition
        .form_fields
        .iter()
        .filter_map(|f| {
            let v = d.form.get(&f.key)?;
            let shown = match (f.field_type, v.parse::<jiff::civil::Date>()) {
                (FieldType::Date, Ok(date)) => date.strftime("%d/%m/%Y").to_string(),
                _ => v.clone(),
            };
            Some((f.label.clone(), shown))
        })
        .collect();
    DossierPage {
        layout: Layout::new(
            d.code.clone().unwrap_or_else(|| "Hồ sơ nháp".into()),
            Some(user.clone()),
        ),
        csrf: user.csrf_token,
        // The leader attaches the result while the dossier awaits approval (then may approve).
        upload_result: d.can("send_back"),
        correct_result: d.can(Action::CorrectResult.as_str()),
        actions,
        form_rows,
        flash,
        error,
        status: None,
        fees: None,
        verify: None,
        slips: super::slips::links(&d),
        d,
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The applicant, or an official of the handling agency.
pub async fn show(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let d = s.app.dossier_view_drawn(&user, &id, true).await?;
    let flash = q.done.as_deref().map(|done| match (done, &d.code) {
        ("submit", Some(code)) => {
            format!("Đã nộp hồ sơ thành công. Mã hồ sơ của bạn: {code}. Hãy giữ mã này để tra cứu.")
        }
        ("result", _) => "Đã đính kèm tệp kết quả.".to_string(),
        ("correction", _) => {
            "Đã đính chính kết quả: bản đính chính đã được ký, kết quả cũ đã bị thu hồi."
                .to_string()
        }
        ("step", _) => "Đã hoàn thành bước xử lý.".to_string(),
        ("opinion", _) => "Đã gửi ý kiến của cơ quan.".to_string(),
        ("payment", _) => super::payment::returned_message(&d),
        (other, _) => format!(
            "Đã thực hiện: {}.",
            Action::parse(other)
                .map(Action::label)
                .unwrap_or("thao tác")
        ),
    });
    let status = match (&d.code, user.role) {
        (Some(code), Role::Citizen) => Some(StatusLink::new(&headers, code)),
        _ => None,
    };
    let fees = super::payment::fee_vm(&s, &user, &id).await?;
    let signed =
        matches!(d.state, DossierState::ResultReady | DossierState::Returned) && d.has_results();
    let verify = match &d.code {
        Some(code) if signed => Some(StatusLink::verify(&headers, code)),
        _ => None,
    };
    let page = DossierPage {
        status,
        fees,
        verify,
        ..dossier_page(user, d, flash, None)
    };
    let response = render(&page)?;
    Ok(super::payment::allow_gateway(
        &s,
        page.fees.as_ref(),
        response,
    ))
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    layout: Layout,
    code: String,
    d: DossierView,
    status: StatusLink,
    slips: Vec<super::slips::SlipLink>,
}

/// The applicant, or an official of the handling agency.
pub async fn receipt(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let d = s.app.dossier_view(&user, &id).await?;
    let code = d.code.clone().ok_or(AppError::NotFound)?;
    render(&ReceiptPage {
        layout: Layout::new(format!("Giấy tiếp nhận {code}"), Some(user)),
        status: StatusLink::new(&headers, &code),
        slips: super::slips::links(&d),
        code,
        d,
    })
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    reason: Option<String>,
    score: Option<String>,
    new_due_date: Option<String>,
}

/// Whoever the lifecycle allows for this action (checked by the domain rules).
pub async fn act(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    let action = Action::parse(&action).ok_or(AppError::NotFound)?;
    let new_due = match f.new_due_date.as_deref().filter(|d| !d.is_empty()) {
        Some(date) => s.app.due_instant_on(date).map(Some),
        None => Ok(None),
    };
    let outcome = match new_due {
        Ok(new_due) => {
            let score = f.score.and_then(|s| s.parse().ok());
            let cmd = Command {
                action,
                reason: f.reason,
                score,
                new_due,
            };
            s.app.act(&user, &id, &cmd).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/dossiers/{id}?done={}", action.as_str())).into_response())
        }
        Err(
            e @ (AppError::Transition(_)
            | AppError::Step(_)
            | AppError::Invalid { .. }
            | AppError::Conflict),
        ) => refused(&s, user, &id, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: Option<String>,
    note: Option<String>,
}

/// The official the waiting step names: of the handling agency, or of the consulted agency for
/// an opinion (checked by the app against the step's role and agency).
pub async fn complete_step(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path((id, node)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    match s
        .app
        .complete_step(&user, &id, &node, f.note.as_deref())
        .await
    {
        Ok(opinion) => {
            // Once it has answered, the consulted agency no longer sees the dossier: back to
            // its work list, which says the opinion was sent.
            let to = if opinion {
                "/dossiers?done=opinion".to_string()
            } else {
                format!("/dossiers/{id}?done=step")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ (AppError::Step(_) | AppError::Invalid { .. } | AppError::Conflict)) => {
            refused(&s, user, &id, e).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The dossier page again, saying why the action was refused (nothing was changed).
pub(super) async fn refused(
    s: &AppState,
    user: CurrentUser,
    id: &str,
    e: AppError,
) -> Result<Response, PageError> {
    let (status, _) = crate::error::classify(&e);
    let d = s.app.dossier_view_drawn(&user, id, true).await?;
    let fees = super::payment::fee_vm(s, &user, id).await?;
    let page = DossierPage {
        fees,
        ..dossier_page(user, d, None, Some(e.to_string()))
    };
    let response = render_status(status, &page)?;
    Ok(super::payment::allow_gateway(
        s,
        page.fees.as_ref(),
        response,
    ))
}

/// The leader of the handling agency, while the dossier awaits approval.
pub async fn attach_result(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    let form = multipart::read(body).await?;
    check_csrf(&user, form.field("csrf"))?;
    let outcome = match form.files.first() {
        Some(file) => s
            .app
            .attach_result(&user, &id, &file.file_name, &file.bytes)
            .await
            .map(|_| ()),
        None => Err(AppError::invalid("Vui lòng chọn tệp kết quả.")),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/dossiers/{id}?done=result")).into_response()),
        Err(e @ (AppError::File(_) | AppError::Invalid { .. })) => refused(&s, user, &id, e).await,
        Err(e) => Err(e.into()),
    }
}

/// The leader of the handling agency, once the result is returned: the reason and the corrected
/// file (checked by the app, who first).
pub async fn correct_result(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    let form = multipart::read(body).await?;
    check_csrf(&user, form.field("csrf"))?;
    let (name, bytes) = form.files.first().map_or(("", &[][..]), |f| {
        (f.file_name.as_str(), f.bytes.as_slice())
    });
    match s
        .app
        .correct_result(&user, &id, form.field("reason"), name, bytes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/dossiers/{id}?done=correction")).into_response()),
        Err(
            e @ (AppError::File(_)
            | AppError::Invalid { .. }
            | AppError::Transition(_)
            | AppError::Conflict),
        ) => refused(&s, user, &id, e).await,
        Err(e) => Err(e.into()),
    }
}

/// Whoever may see the dossier the file belongs to.
pub async fn download(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (name, content_type, bytes) = s.app.download(&user, &id).await?;
    Ok(file_response(&name, &content_type, bytes))
}

/// A file as an attachment download, never rendered inline in our origin.
pub fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The urgencies a work list can be narrowed to, most pressing first.
pub fn urgencies() -> [Urgency; 6] {
    Urgency::ALL
}
