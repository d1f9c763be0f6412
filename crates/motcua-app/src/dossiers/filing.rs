//! Filing: a draft, its form and files, and submission. Whatever was typed or attached is
//! saved before anything is judged.

use super::*;
use motcua_domain::channel::FilingMode;

/// A draft ready to be stored: its row and its first event.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub dossier: NewDossier,
    pub created: NewEventRecord,
}

/// A citizen's or business's own online filing; nobody else files online in their own name.
fn self_filed(user: &CurrentUser) -> Result<Filing<'static>> {
    if user.role != Role::Citizen {
        return Err(AppError::Forbidden(
            "Chỉ người dân, doanh nghiệp mới nộp hồ sơ trực tuyến.".into(),
        ));
    }
    Ok(Filing {
        mode: FilingMode::SelfFiled,
        portal_ref: None,
    })
}

/// How a draft comes in: the filing mode, and the national portal's reference of a pulled one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Filing<'a> {
    pub mode: FilingMode,
    pub portal_ref: Option<&'a str>,
}

impl App {
    /// Starts a draft dossier for `procedure_code` at `agency_id` with what was typed so far.
    pub async fn start_dossier(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        values: &FormValues,
    ) -> Result<String> {
        let how = self_filed(user)?;
        self.create_draft(user, user, procedure_code, agency_id, how, values)
            .await
    }

    /// A draft of `applicant`'s, started by `actor` (the applicant, or the officer filing for
    /// them in `mode`).
    pub(super) async fn create_draft(
        &self,
        actor: &CurrentUser,
        applicant: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        how: Filing<'_>,
        values: &FormValues,
    ) -> Result<String> {
        // The same request, retried after an attempt that saved this draft and gave no answer.
        if let Some(id) = motcua_store::claimed_resource() {
            return Ok(id);
        }
        let (draft, _) = self
            .prepare_draft(actor, applicant, procedure_code, agency_id, how, values)
            .await?;
        self.store_draft(&draft).await
    }

    /// Writes a prepared draft; answers its id.
    async fn store_draft(&self, draft: &Draft) -> Result<String> {
        let mut tx = self.db.begin().await?;
        tx.create_dossier(&self.tenant, &draft.dossier, &draft.created)
            .await?;
        tx.commit().await?;
        Ok(draft.dossier.id.clone())
    }

    /// Everything a new draft needs, checked and read before any transaction: its row and
    /// first event, and the procedure it is for. A retry of this request (same idempotency
    /// key) resumes from the draft's id, noted here.
    async fn prepare_draft(
        &self,
        actor: &CurrentUser,
        applicant: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        how: Filing<'_>,
        values: &FormValues,
    ) -> Result<(Draft, ProcedureView)> {
        let mode = how.mode;
        let catalog = self.catalog();
        let p = catalog
            .procedure(procedure_code)
            .ok_or(AppError::NotFound)?;
        if !catalog.agencies_for(p).iter().any(|a| a.id == agency_id) {
            return Err(AppError::Invalid {
                message: "Vui lòng chọn nơi nộp hồ sơ.".into(),
                fields: BTreeMap::from([(
                    "agency_id".to_string(),
                    "Vui lòng chọn nơi nộp hồ sơ.".to_string(),
                )]),
            });
        }
        // Before the transaction: the look-up writes to the access log itself.
        let identity_sealed = self.registry_identity(actor, applicant, p).await?;
        let id = new_id();
        let now = now_micros();
        let mut data = json!({"procedure": p.code, "version": p.version});
        if mode != FilingMode::SelfFiled {
            data["filing_mode"] = json!(mode.as_str());
        }
        if let Some(r) = how.portal_ref {
            data["portal_ref"] = json!(r);
        }
        motcua_store::note_resource(&id);
        let draft = Draft {
            dossier: NewDossier {
                id,
                procedure_id: p.id.clone(),
                agency_id: agency_id.to_string(),
                applicant_id: applicant.id.clone(),
                channel: mode.national_channel(),
                form_sealed: self.seal_form(&draft_values(p, values))?,
                identity_sealed,
                filing_mode: mode.as_str().into(),
                filed_by: mode.is_on_behalf().then(|| actor.id.clone()),
                portal_ref: how.portal_ref.map(str::to_string),
            },
            created: NewEventRecord {
                at: now,
                actor_id: actor.id.clone(),
                actor_role: actor.role.as_str().into(),
                kind: EventKind::Created.as_str().into(),
                from_state: None,
                to_state: DossierState::Draft.as_str().into(),
                reason: None,
                data: Some(data.to_string()),
            },
        };
        Ok((draft, p.clone()))
    }

    /// Saves what was typed into a draft (or a dossier being supplemented); records an event
    /// only when something changed.
    pub async fn update_form(
        &self,
        user: &CurrentUser,
        id: &str,
        values: &FormValues,
    ) -> Result<()> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        let fresh = draft_values(&p, values);
        if fresh == self.form_of(&d)? {
            return Ok(());
        }
        let state = state_of(&d)?;
        let ev = NewEvent::unchanged(EventKind::FormUpdated, state);
        let change = super::funnel::Change {
            patch: DossierPatch {
                form_sealed: Some(self.seal_form(&fresh)?),
                ..Default::default()
            },
            ..super::funnel::Change::plain(&d, ev.kind, record(user, &ev, now_micros(), None))
        };
        let before = self.before(&d, ev.kind).await?;
        let mut tx = self.db.begin().await?;
        self.record(&mut tx, &change, &before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a file for one upload component of the applicant's dossier.
    pub async fn attach_file(
        &self,
        user: &CurrentUser,
        id: &str,
        component_index: usize,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        takes_upload(&p, component_index)?;
        let state = state_of(&d)?;
        let ev = NewEvent::unchanged(EventKind::FileAttached, state);
        self.store_attachment(
            user,
            &d,
            &ev,
            "component",
            Some(component_index),
            file_name,
            bytes,
            DossierPatch::default(),
        )
        .await
    }

    /// Attaches a document from the applicant's own store for one upload component: the same
    /// file, not uploaded again.
    pub async fn reuse_document(
        &self,
        user: &CurrentUser,
        id: &str,
        component_index: usize,
        document_id: &str,
    ) -> Result<String> {
        let d = self.editable_dossier(user, id).await?;
        let (doc, a) = self.own_document(user, document_id).await?;
        let p = self.procedure_of(&d).await?;
        takes_upload(&p, component_index)?;
        let ev = NewEvent::unchanged(EventKind::FileAttached, state_of(&d)?);
        let file_name = self.open_text(&a.file_name_sealed)?;
        let at = Attach {
            purpose: "component",
            component_index: Some(component_index),
            file_name: &file_name,
            reused_document: Some(&doc.id),
        };
        let file = StoredRef {
            key: a.object_key,
            sha256: a.sha256,
            content_type: a.content_type,
            size: a.size_bytes,
        };
        self.record_attachment(user, &d, &ev, &at, &file, &DossierPatch::default())
            .await
    }

    /// Attaches the result document; the leader does this before approving.
    pub async fn attach_result(
        &self,
        user: &CurrentUser,
        id: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let d = self.visible_dossier(user, id).await?;
        let state = state_of(&d)?;
        if user.role != Role::Leader || relation(user, &d) != Relation::HandlingAgency {
            return Err(AppError::Forbidden(
                "Chỉ lãnh đạo của cơ quan xử lý mới đính kèm kết quả.".into(),
            ));
        }
        if state != DossierState::AwaitingApproval {
            return Err(AppError::invalid(
                "Chỉ đính kèm kết quả khi hồ sơ đang chờ phê duyệt.",
            ));
        }
        let ev = NewEvent::unchanged(EventKind::ResultAttached, state);
        let patch = DossierPatch {
            has_result: Some(true),
            ..Default::default()
        };
        self.store_attachment(user, &d, &ev, "result", None, file_name, bytes, patch)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_attachment(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        ev: &NewEvent,
        purpose: &str,
        component_index: Option<usize>,
        file_name: &str,
        bytes: &[u8],
        patch: DossierPatch,
    ) -> Result<String> {
        // The same file for the same component again (a retry, a double click): kept once.
        let sha256 = motcua_files::sha256_hex(bytes);
        if let Some(same) = self.db.attachments(&d.id).await?.into_iter().find(|a| {
            a.purpose == purpose
                && a.component_index == component_index.map(|i| i as i64)
                && a.sha256 == sha256
        }) {
            return Ok(same.id);
        }
        let stored = self.files.put(bytes).await?;
        let file = StoredRef {
            key: stored.key,
            sha256: stored.sha256,
            content_type: stored.content_type.into(),
            size: stored.size as i64,
        };
        let at = Attach {
            purpose,
            component_index,
            file_name,
            reused_document: None,
        };
        self.record_attachment(user, d, ev, &at, &file, &patch)
            .await
    }

    /// Writes the attachment row and its event for a file already in the file store.
    pub(crate) async fn record_attachment(
        &self,
        user: &CurrentUser,
        d: &DossierRow,
        ev: &NewEvent,
        at: &Attach<'_>,
        file: &StoredRef,
        patch: &DossierPatch,
    ) -> Result<String> {
        let name = clean_file_name(at.file_name);
        let attachment_id = new_id();
        let now = now_micros();
        let before = self.before(d, ev.kind).await?;
        let mut tx = self.db.begin().await?;
        tx.insert_attachment(
            &d.id,
            &NewAttachment {
                id: attachment_id.clone(),
                purpose: at.purpose.into(),
                component_index: at.component_index.map(|i| i as i64),
                file_name_sealed: self.vault.seal_text(&name),
                content_type: file.content_type.clone(),
                size_bytes: file.size,
                sha256: file.sha256.clone(),
                object_key: file.key.clone(),
                uploaded_by: user.id.clone(),
                uploaded_at: now,
            },
        )
        .await?;
        let mut data = json!({"attachment": attachment_id, "component": at.component_index, "sha256": file.sha256});
        if let Some(doc) = at.reused_document {
            data["reused_document"] = json!(doc);
        }
        let change = super::funnel::Change {
            patch: patch.clone(),
            ..super::funnel::Change::plain(d, ev.kind, record(user, ev, now, Some(data)))
        };
        self.record(&mut tx, &change, &before).await?;
        tx.commit().await?;
        Ok(attachment_id)
    }

    /// Starts and submits a dossier in one call (procedures that need no uploaded file), in
    /// one transaction: the draft and its submission are written together or not at all. The
    /// work runs to the end even if the caller goes away. On a validation error the draft is
    /// kept and its id is in `fields["dossier_id"]`.
    pub async fn file_and_submit(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        values: &FormValues,
    ) -> Result<(String, String)> {
        let (app, user, procedure_code, agency_id, values) = (
            self.clone(),
            user.clone(),
            procedure_code.to_string(),
            agency_id.to_string(),
            values.clone(),
        );
        let claim = motcua_store::current_claim();
        let work = tokio::spawn(crate::watched(motcua_store::carrying(claim, async move {
            if let Some(id) = motcua_store::claimed_resource() {
                // A retry of a filing whose answer was lost: its code once submitted, else
                // the kept draft is submitted now.
                let d = app.visible_dossier(&user, &id).await?;
                if let (Some(code), false) = (&d.code, state_of(&d)?.is_editable_by_applicant()) {
                    return Ok((id, code.clone()));
                }
                return app.submit(&user, &id).await.map(|code| (id, code));
            }
            app.file_new_and_submit(&user, &procedure_code, &agency_id, &values)
                .await
        })));
        work.await.map_err(|e| AppError::Internal(e.to_string()))?
    }

    async fn file_new_and_submit(
        &self,
        user: &CurrentUser,
        procedure_code: &str,
        agency_id: &str,
        values: &FormValues,
    ) -> Result<(String, String)> {
        let how = self_filed(user)?;
        let (draft, p) = self
            .prepare_draft(user, user, procedure_code, agency_id, how, values)
            .await?;
        let id = draft.dossier.id.clone();
        let d = draft.dossier.row(&self.tenant, &draft.created);
        let values = draft_values(&p, values);
        let kept = draft.clone();
        match self
            .submit_checked(user, d, &p, &values, &[], Some(draft))
            .await
        {
            Ok(code) => Ok((id, code)),
            Err(AppError::Invalid {
                message,
                mut fields,
            }) => {
                // Not yet complete: the draft is kept as typed, to be corrected.
                self.store_draft(&kept).await?;
                fields.insert("dossier_id".into(), id);
                Err(AppError::Invalid { message, fields })
            }
            Err(e) => Err(e),
        }
    }

    /// Files the dossier (or files it again after a supplement request). The form is judged in
    /// full here; every problem comes back at once, each next to its field.
    pub async fn submit(&self, user: &CurrentUser, id: &str) -> Result<String> {
        let d = self.editable_dossier(user, id).await?;
        let p = self.procedure_of(&d).await?;
        let values = self.form_of(&d)?;
        let attached: Vec<usize> = self
            .db
            .attachments(id)
            .await?
            .iter()
            .filter(|a| a.purpose == "component")
            .filter_map(|a| a.component_index.map(|i| i as usize))
            .collect();
        self.submit_checked(user, d, &p, &values, &attached, None)
            .await
    }

    /// Judges `d`'s form and files (components `attached`), then submits it; `create`: the
    /// draft is not stored yet and is written in the submission's transaction.
    async fn submit_checked(
        &self,
        user: &CurrentUser,
        d: DossierRow,
        p: &ProcedureView,
        values: &FormValues,
        attached: &[usize],
        create: Option<Draft>,
    ) -> Result<String> {
        let mut fields = match form::validate(&p.definition.form_fields, values) {
            Ok(_) => BTreeMap::new(),
            Err(errors) => errors,
        };
        for (i, name) in p.definition.missing_uploads(attached) {
            fields.insert(format!("file_{i}"), format!("Vui lòng đính kèm «{name}»."));
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid {
                message: format!("Hồ sơ còn {} mục cần sửa hoặc bổ sung.", fields.len()),
                fields,
            });
        }
        let action = if state_of(&d)? == DossierState::Draft {
            Action::Submit
        } else {
            Action::Resubmit
        };
        let fetched = self.fetch_components(user, &d, p, values).await?;
        let counter = d.filing_mode == FilingMode::Counter.as_str()
            && user.agency_id.as_deref() == Some(d.agency_id.as_str());
        let id = d.id.clone();
        let extra = super::handling::Extra {
            fetched,
            corrected: None,
            create,
        };
        let code = self
            .apply_with(user, d, &Command::plain(action), extra)
            .await?;
        if counter {
            // At the desk the officer checked the papers with the applicant: received as filed.
            // Filed either way; if receipt fails, the dossier waits in the intake queue.
            let receipt = match self.visible_dossier(user, &id).await {
                Ok(d) => self.apply(user, d, &Command::plain(Action::Receive)).await,
                Err(e) => Err(e),
            };
            if let Err(e) = receipt {
                tracing::warn!(error = %e, "counter dossier filed but not received at once");
            }
        }
        Ok(code)
    }
}

/// A file name as kept: cleaned, without control characters, not too long, never empty.
pub(super) fn clean_file_name(file_name: &str) -> String {
    let name: String = text::clean(file_name)
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME)
        .collect();
    if name.is_empty() {
        "tep-dinh-kem".to_string()
    } else {
        name
    }
}

/// A file already in the file store.
pub(crate) struct StoredRef {
    pub key: String,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
}

/// What an attachment is for.
pub(crate) struct Attach<'a> {
    pub purpose: &'a str,
    pub component_index: Option<usize>,
    pub file_name: &'a str,
    /// The personal document it was taken from, instead of an upload.
    pub reused_document: Option<&'a str>,
}

/// Refuses a file for a component that is not uploaded (a form, a registry).
fn takes_upload(p: &ProcedureView, component_index: usize) -> Result<()> {
    if p.definition
        .upload_components()
        .any(|(i, _)| i == component_index)
    {
        Ok(())
    } else {
        Err(AppError::invalid(
            "Thành phần hồ sơ này không nhận tệp tải lên.",
        ))
    }
}
