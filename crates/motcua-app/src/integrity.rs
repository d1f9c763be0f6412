//! `motcua verify`: that nothing stored was changed behind the system's back. Every dossier's
//! event chain is unbroken and ends where the dossier row says, its state is the replay of its
//! history, every attachment's file is there and has the SHA-256 recorded for it, and every
//! result signature is the agency's over that file.

use motcua_domain::EventKind;
use motcua_domain::dossier::replay;
use motcua_files::FileError;
use motcua_store::{ChainBreak, DossierRow, first_break};
use serde::Serialize;

use crate::{App, Result};

/// Dossiers read per page.
const PAGE: i64 = 500;

/// What a check of the whole store found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegrityReport {
    pub dossiers: u64,
    pub events: u64,
    pub files: u64,
    pub signatures: u64,
    pub problems: Vec<IntegrityProblem>,
}

/// One thing found wrong, and the dossier it is in.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrityProblem {
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    /// In Vietnamese, for the operator.
    pub what: String,
}

impl IntegrityProblem {
    /// The dossier's code, or its id while it has none (a draft).
    pub fn dossier(&self) -> &str {
        self.dossier_code.as_deref().unwrap_or(&self.dossier_id)
    }
}

impl App {
    /// Checks every dossier of the tenant; `progress` is told how many were checked so far.
    pub async fn verify_integrity(&self, mut progress: impl FnMut(u64)) -> Result<IntegrityReport> {
        let mut report = IntegrityReport::default();
        let mut after = String::new();
        loop {
            let ids = self
                .db
                .dossier_ids_after(&self.tenant, &after, PAGE)
                .await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in &ids {
                let Some(d) = self.db.dossier(&self.tenant, id).await? else {
                    continue;
                };
                for what in self.check_dossier(&d, &mut report).await? {
                    report.problems.push(IntegrityProblem {
                        dossier_id: d.id.clone(),
                        dossier_code: d.code.clone(),
                        what,
                    });
                }
                report.dossiers += 1;
            }
            progress(report.dossiers);
        }
        Ok(report)
    }

    async fn check_dossier(
        &self,
        d: &DossierRow,
        report: &mut IntegrityReport,
    ) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let events = self.db.events(&d.id).await?;
        report.events += events.len() as u64;
        match first_break(&d.id, &events) {
            Some(ChainBreak::Missing(seq)) => {
                found.push(format!("thiếu sự kiện số {seq} trong nhật ký"))
            }
            Some(ChainBreak::Unlinked(seq)) => found.push(format!(
                "sự kiện số {seq} không nối tiếp sự kiện trước (sự kiện trước đã bị sửa hoặc xóa)"
            )),
            Some(ChainBreak::Altered(seq)) => {
                found.push(format!("sự kiện số {seq} đã bị sửa sau khi ghi"))
            }
            None => {
                let last = events.last();
                if last.map(|e| e.seq) != Some(d.last_seq)
                    || last.map(|e| e.hash.as_str()) != Some(d.last_hash.as_str())
                {
                    found.push(format!(
                        "hồ sơ ghi sự kiện cuối là số {}, nhật ký có {} sự kiện (sự kiện cuối đã bị xóa?)",
                        d.last_seq,
                        events.len()
                    ));
                } else {
                    let kinds = events.iter().filter_map(|e| EventKind::parse(&e.kind));
                    if replay(kinds).map(|s| s.as_str()) != Some(d.state.as_str()) {
                        found.push(format!(
                            "trạng thái «{}» không khớp với lịch sử sự kiện",
                            d.state
                        ));
                    }
                }
            }
        }
        let attachments = self.db.attachments(&d.id).await?;
        for a in &attachments {
            report.files += 1;
            match self.files.get(&a.object_key, &a.sha256).await {
                Ok(_) => {}
                Err(FileError::Damaged) => found.push(format!(
                    "tệp đính kèm {} bị hỏng hoặc bị thay (SHA-256 không khớp)",
                    a.id
                )),
                Err(FileError::Missing) => found.push(format!("thiếu tệp đính kèm {}", a.id)),
                Err(e) => return Err(e.into()),
            }
        }
        let signed = self.db.signed_results(&d.id).await?;
        if !signed.is_empty() {
            let code = d.code.clone().unwrap_or_default();
            let agency_code = self
                .catalog()
                .agency(&d.agency_id)
                .map(|a| a.code.clone())
                .unwrap_or_default();
            for s in &signed {
                report.signatures += 1;
                let file = attachments
                    .iter()
                    .find(|a| a.id == s.signature.attachment_id);
                if !crate::results::signature_holds(&code, &d.agency_id, &agency_code, s) {
                    found.push(format!("chữ ký kết quả {} không hợp lệ", s.signature.id));
                } else if file.is_none_or(|a| a.sha256 != s.signature.sha256) {
                    found.push(format!(
                        "chữ ký kết quả {} không khớp với tệp kết quả đang lưu",
                        s.signature.id
                    ));
                }
            }
        }
        Ok(found)
    }
}
