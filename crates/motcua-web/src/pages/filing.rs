//! The filing form: fill in, attach, save a draft or submit. Whatever was typed or attached is
//! saved before anything is judged, so an error never loses it.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::domain::FieldType;
use motcua_app::domain::form::FormValues;
use motcua_app::{
    AppError, AttachmentView, CurrentUser, DocumentView, DossierView, IdentityFact,
    IdentityPreview, ProcedureView,
};

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;
use crate::multipart;

pub struct FieldVm {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub input_type: &'static str,
    pub inputmode: &'static str,
    pub required: bool,
    pub options: Vec<String>,
    /// A choice drawn as radio buttons rather than a list.
    pub radio: bool,
    pub hint: Option<String>,
    pub autocomplete: String,
    pub value: String,
    pub error: Option<String>,
}

impl FieldVm {
    /// The ids the input is described by: its hint and its error, when shown.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

pub struct UploadVm {
    pub id: String,
    /// The index of the component, for `reuse_{index}`.
    pub index: usize,
    pub name: String,
    pub required: bool,
    pub files: Vec<String>,
    pub error: Option<String>,
    /// Documents from the applicant's store that can stand for this component, the same
    /// component name first: (id, label).
    pub documents: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    layout: Layout,
    p: ProcedureView,
    fee: String,
    action: String,
    csrf: String,
    dossier_id: Option<String>,
    resubmit: bool,
    supplement_reason: Option<String>,
    applicant_name: String,
    applicant_personal_id: Option<String>,
    /// Identity facts taken from the population registry (read-only, with their source).
    identity: Vec<IdentityFact>,
    /// Why the registry could not confirm them, for the citizen.
    identity_warning: Option<String>,
    agencies: Vec<(String, String)>,
    /// Once a draft exists its agency is fixed and shown as text.
    chosen_agency: Option<String>,
    selected_agency: String,
    agency_error: Option<String>,
    fields: Vec<FieldVm>,
    uploads: Vec<UploadVm>,
    message: String,
    /// (anchor, message) for the error summary.
    errors: Vec<(String, String)>,
    saved: Option<String>,
    /// Where the script saves what is typed, the key of the tab's copy, and the draft's version.
    autosave_url: String,
    draft_key: String,
    version: usize,
}

/// Where the form stands when it is drawn.
struct Draft<'a> {
    dossier: Option<&'a DossierView>,
    values: FormValues,
    agency_id: String,
    errors: BTreeMap<String, String>,
    message: String,
    saved: Option<String>,
    /// The applicant's personal documents, offered for each upload component.
    documents: Vec<DocumentView>,
}

fn field_anchor(key: &str) -> String {
    if key.starts_with("file_") || key == "agency_id" {
        key.to_string()
    } else {
        format!("f_{key}")
    }
}

fn page(
    s: &AppState,
    user: &CurrentUser,
    personal_id: Option<String>,
    p: &ProcedureView,
    draft: Draft<'_>,
    preview: Option<IdentityPreview>,
) -> FilePage {
    let (identity, identity_warning) = match (preview, draft.dossier) {
        (Some(preview), _) => (preview.facts, preview.warning),
        (None, Some(d)) => (d.identity.clone(), None),
        (None, None) => (Vec::new(), None),
    };
    let catalog = s.app.catalog();
    let attachments: Vec<&AttachmentView> = draft
        .dossier
        .map(|d| d.component_files().collect())
        .unwrap_or_default();
    let fields = p
        .definition
        .form_fields
        .iter()
        .map(|f| {
            let (kind, input_type, inputmode) = match f.field_type {
                FieldType::Text => ("text", "text", ""),
                FieldType::Date => ("date", "date", ""),
                FieldType::Choice => ("choice", "text", ""),
                FieldType::PersonalId => ("personal_id", "text", "numeric"),
                FieldType::TaxCode => ("tax_code", "text", "numeric"),
                FieldType::Phone => ("phone", "tel", "tel"),
                FieldType::Integer => ("integer", "text", "numeric"),
                FieldType::Number => ("number", "text", "decimal"),
            };
            FieldVm {
                id: format!("f_{}", f.key),
                label: f.label.clone(),
                kind,
                input_type,
                inputmode,
                required: f.required,
                options: f.options.clone(),
                radio: f.as_radio(),
                hint: f.hint.clone(),
                autocomplete: f.autocomplete.clone().unwrap_or_default(),
                value: draft.values.get(&f.key).cloned().unwrap_or_default(),
                error: draft.errors.get(&f.key).cloned(),
            }
        })
        .collect();
    let uploads = p
        .definition
        .upload_components()
        .map(|(i, c)| UploadVm {
            id: format!("file_{i}"),
            index: i,
            documents: {
                let mut docs: Vec<&DocumentView> = draft.documents.iter().collect();
                docs.sort_by_key(|d| d.title != c.name);
                docs.iter()
                    .map(|d| {
                        let from = d
                            .source_code
                            .as_deref()
                            .map(|c| format!(", từ hồ sơ {c}"))
                            .unwrap_or_default();
                        (
                            d.id.clone(),
                            format!("{} ({}{from})", d.title, d.kind_label.to_lowercase()),
                        )
                    })
                    .collect()
            },
            name: c.name.clone(),
            required: c.required,
            files: attachments
                .iter()
                .filter(|a| a.component_index == Some(i))
                .map(|a| a.file_name.clone())
                .collect(),
            error: draft.errors.get(&format!("file_{i}")).cloned(),
        })
        .collect();
    let (action, resubmit, reason) = match draft.dossier {
        Some(d) => (
            format!("/dossiers/{}/edit", d.id),
            d.code.is_some(),
            d.events
                .iter()
                .rev()
                .find(|e| e.kind == "request_supplement")
                .and_then(|e| e.reason.clone()),
        ),
        None => (format!("/procedures/{}/file", p.code), false, None),
    };
    let mut errors: Vec<(String, String)> = draft
        .errors
        .iter()
        .map(|(k, v)| (field_anchor(k), v.clone()))
        .collect();
    errors.sort_by_key(|(anchor, _)| !anchor.starts_with("f_"));
    FilePage {
        layout: Layout::new(format!("Nộp hồ sơ: {}", p.name), Some(user.clone())),
        fee: crate::fmt::fee_line(p.fee_vnd, p.online_fee_vnd),
        action,
        csrf: user.csrf_token.clone(),
        dossier_id: draft.dossier.map(|d| d.id.clone()),
        resubmit,
        supplement_reason: reason,
        applicant_name: draft
            .dossier
            .map(|d| d.applicant_name.clone())
            .unwrap_or_else(|| user.display_name.clone()),
        applicant_personal_id: personal_id,
        identity,
        identity_warning,
        chosen_agency: draft.dossier.map(|d| d.agency_name.clone()),
        agencies: catalog
            .agencies_for(p)
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        selected_agency: draft.agency_id,
        agency_error: draft.errors.get("agency_id").cloned(),
        fields,
        uploads,
        message: draft.message,
        errors,
        saved: draft.saved,
        autosave_url: match draft.dossier {
            Some(d) => format!("/dossiers/{}/draft", d.id),
            None => format!("/procedures/{}/draft", p.code),
        },
        draft_key: match draft.dossier {
            Some(d) => d.id.clone(),
            None => format!("new-{}", p.code),
        },
        version: draft.dossier.map(|d| d.events.len()).unwrap_or(0),
        p: p.clone(),
    }
}

/// The applicant's document store, offered on their own form; an officer filing for them
/// scans the papers instead.
async fn documents_of(s: &AppState, user: &CurrentUser) -> Result<Vec<DocumentView>, PageError> {
    if user.role == motcua_app::domain::Role::Citizen {
        // The newest page of the store; the rest is a click away in "Kho giấy tờ".
        let newest = motcua_app::PageRequest {
            limit: Some(motcua_app::MAX_PAGE),
            cursor: None,
        };
        Ok(s.app.my_documents(user, &newest).await?.items)
    } else {
        Ok(Vec::new())
    }
}

fn citizen_only(user: &CurrentUser) -> Result<(), PageError> {
    if user.role == motcua_app::domain::Role::Citizen {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "Chỉ người dân, doanh nghiệp mới nộp hồ sơ trực tuyến.".into(),
        )))
    }
}

/// Citizens: an empty form for a procedure.
pub async fn file_new_page(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    citizen_only(&user)?;
    let catalog = s.app.catalog();
    let p = catalog.procedure(&code).ok_or(AppError::NotFound)?;
    let draft = Draft {
        documents: documents_of(&s, &user).await?,
        dossier: None,
        values: FormValues::new(),
        agency_id: String::new(),
        errors: BTreeMap::new(),
        message: String::new(),
        saved: None,
    };
    render_status(
        StatusCode::OK,
        &page(
            &s,
            &user,
            s.app.personal_id_of(&user).await?,
            p,
            draft,
            s.app.identity_preview(&user, p).await?,
        ),
    )
}

/// The applicant: their draft or their dossier being supplemented.
pub async fn file_edit_page(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = s.app.dossier_view(&user, &id).await?;
    if !d.editable {
        return Ok(Redirect::to(&format!("/dossiers/{id}")).into_response());
    }
    let draft = Draft {
        documents: documents_of(&s, &user).await?,
        dossier: Some(&d),
        values: d.form.clone(),
        agency_id: String::new(),
        errors: BTreeMap::new(),
        message: String::new(),
        saved: None,
    };
    render_status(
        StatusCode::OK,
        &page(
            &s,
            &user,
            d.applicant_personal_id.clone(),
            &d.procedure,
            draft,
            None,
        ),
    )
}

/// Citizens: first post of a new dossier.
pub async fn file_new(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    handle(s, user, Some(code), None, body).await
}

/// The applicant: later posts of the same dossier.
pub async fn file_edit(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    handle(s, user, None, Some(id), body).await
}

async fn handle(
    s: AppState,
    user: CurrentUser,
    code: Option<String>,
    id: Option<String>,
    body: Multipart,
) -> Result<Response, PageError> {
    // A new dossier is a citizen's own; a draft may also be the desk's, filing for a citizen
    // (the use case checks who may change it).
    if id.is_none() {
        citizen_only(&user)?;
    }
    let form = multipart::read(body).await?;
    check_csrf(&user, form.field("csrf"))?;
    let values = typed_values(&form.fields);
    let agency_id = form.field("agency_id").unwrap_or_default().to_string();

    // 1. Save what was typed.
    let id = match (
        id.or_else(|| form.field("dossier_id").map(str::to_string)),
        code,
    ) {
        (Some(id), _) => {
            s.app.update_form(&user, &id, &values).await?;
            id
        }
        (None, Some(code)) => match s.app.start_dossier(&user, &code, &agency_id, &values).await {
            Ok(id) => id,
            Err(AppError::Invalid { message, fields }) => {
                let catalog = s.app.catalog();
                let p = catalog.procedure(&code).ok_or(AppError::NotFound)?;
                let draft = Draft {
                    documents: documents_of(&s, &user).await?,
                    dossier: None,
                    values,
                    agency_id,
                    errors: fields,
                    message,
                    saved: None,
                };
                return render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &page(
                        &s,
                        &user,
                        s.app.personal_id_of(&user).await?,
                        p,
                        draft,
                        s.app.identity_preview(&user, p).await?,
                    ),
                );
            }
            Err(e) => return Err(e.into()),
        },
        (None, None) => return Err(AppError::NotFound.into()),
    };

    // 2. Store the files, each judged on its own.
    let mut errors = BTreeMap::new();
    for file in &form.files {
        let Some(index) = file
            .field
            .strip_prefix("file_")
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        match s
            .app
            .attach_file(&user, &id, index, &file.file_name, &file.bytes)
            .await
        {
            Ok(_) => {}
            Err(AppError::File(e)) => {
                errors.insert(file.field.clone(), format!("{} ({})", e, file.file_name));
            }
            Err(AppError::Invalid { message, .. }) => {
                errors.insert(file.field.clone(), message);
            }
            Err(e) => return Err(e.into()),
        }
    }

    // 2b. Documents taken from the applicant's store, one per component at most.
    let mut reused = false;
    for (name, document_id) in &form.fields {
        let Some(index) = name
            .strip_prefix("reuse_")
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        if document_id.is_empty() {
            continue;
        }
        match s.app.reuse_document(&user, &id, index, document_id).await {
            Ok(_) => reused = true,
            Err(e @ (AppError::Invalid { .. } | AppError::NotFound)) => {
                errors.insert(format!("file_{index}"), e.to_string());
            }
            Err(e) => return Err(e.into()),
        }
    }

    // 3. Submit when asked and nothing is wrong so far.
    let submit = form.field("intent") == Some("submit");
    let mut message = "Một số tệp chưa đính kèm được.".to_string();
    if errors.is_empty() {
        if !submit {
            let d = s.app.dossier_view(&user, &id).await?;
            let draft = Draft {
                documents: documents_of(&s, &user).await?,
                values: d.form.clone(),
                dossier: Some(&d),
                agency_id,
                errors,
                message,
                saved: Some(if reused {
                    "Đã đính kèm giấy tờ từ kho và lưu nháp.".into()
                } else {
                    "Đã lưu nháp. Bạn có thể quay lại nộp tiếp bất cứ lúc nào từ mục «Hồ sơ của tôi».".into()
                }),
            };
            return render_status(
                StatusCode::OK,
                &page(
                    &s,
                    &user,
                    d.applicant_personal_id.clone(),
                    &d.procedure,
                    draft,
                    None,
                ),
            );
        }
        match s.app.submit(&user, &id).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/dossiers/{id}?done=submit")).into_response());
            }
            Err(AppError::Invalid { message: m, fields }) => {
                errors = fields;
                message = m;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let d = s.app.dossier_view(&user, &id).await?;
    let draft = Draft {
        documents: documents_of(&s, &user).await?,
        values: d.form.clone(),
        dossier: Some(&d),
        agency_id,
        errors,
        message,
        saved: None,
    };
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(
            &s,
            &user,
            d.applicant_personal_id.clone(),
            &d.procedure,
            draft,
            None,
        ),
    )
}

/// What the form's script learns after saving: where the draft now lives.
#[derive(serde::Serialize)]
struct Autosaved {
    dossier_id: String,
    edit_url: String,
    autosave_url: String,
    /// Local time of the save, `HH:MM`, shown to the person.
    saved_at: String,
    /// The draft's version (events so far), so an older copy kept by the browser is not restored.
    version: usize,
}

fn typed_values(pairs: &[(String, String)]) -> FormValues {
    pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone())))
        .collect()
}

fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

async fn autosaved(s: &AppState, user: &CurrentUser, id: String) -> Result<Response, PageError> {
    let d = s.app.dossier_view(user, &id).await?;
    let saved_at = jiff::Timestamp::now()
        .to_zoned(motcua_app::domain::calendar::vietnam_tz())
        .strftime("%H:%M")
        .to_string();
    Ok(axum::Json(Autosaved {
        edit_url: format!("/dossiers/{id}/edit"),
        autosave_url: format!("/dossiers/{id}/draft"),
        dossier_id: id,
        saved_at,
        version: d.events.len(),
    })
    .into_response())
}

/// Citizens: the form's script saves what was typed before any draft exists (needs the agency).
/// Without JavaScript the "Lưu nháp" button does the same.
pub async fn autosave_new(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    citizen_only(&user)?;
    check_csrf(&user, field(&pairs, "csrf").as_deref())?;
    let agency_id = field(&pairs, "agency_id").unwrap_or_default();
    let id = s
        .app
        .start_dossier(&user, &code, &agency_id, &typed_values(&pairs))
        .await?;
    autosaved(&s, &user, id).await
}

/// The applicant: the form's script saves the draft (or the dossier being supplemented) as they
/// type, so a dropped connection or a closed tab loses at most the last few seconds.
pub async fn autosave_edit(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    citizen_only(&user)?;
    check_csrf(&user, field(&pairs, "csrf").as_deref())?;
    s.app.update_form(&user, &id, &typed_values(&pairs)).await?;
    autosaved(&s, &user, id).await
}

/// The filing form's autosave script (progressive enhancement; see the file's header).
pub async fn autosave_script() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/autosave.js"),
    )
        .into_response()
}
