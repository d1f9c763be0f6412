//! Sync with the national public service portal: every dossier event the portal must know is
//! queued in the outbox in the event's own transaction, as the dossier's state at that event
//! plus one progress line, and delivered by the outbox worker with retries, backoff and an
//! idempotency key (`{dossier}:{seq}:portal`), so a dossier is never missing and never twice.

use motcua_domain::dossier::Action;
use motcua_domain::{DossierState, Role, calendar};
use motcua_integrations::portal::{PortalDossier, PortalProgress};
use motcua_store::{DossierPatch, DossierRow, OutboxRow, Tx};
use serde::Serialize;

use crate::notices::Applicant;
use crate::views::ts;
use crate::{App, AppError, CurrentUser, ProcedureView, Result, new_id};

/// `yyyyMMddHHmmss` in Vietnam time, or empty.
fn portal_time(micros: Option<i64>) -> String {
    micros
        .map(|m| {
            ts(m)
                .to_zoned(calendar::vietnam_tz())
                .strftime("%Y%m%d%H%M%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// The facts of a just-written event that the portal is told.
pub(crate) struct Synced<'a> {
    pub action: Action,
    pub seq: i64,
    pub to: DossierState,
    pub at: i64,
    pub actor: Role,
    pub reason: Option<&'a str>,
    pub code: Option<&'a str>,
    pub patch: &'a DossierPatch,
    /// Whether a fee was paid online (read before the transaction).
    pub paid_online: bool,
}

/// How the sync stands, for administrators.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub messages: i64,
    pub synced: i64,
    /// Still to be delivered (retrying).
    pub backlog: i64,
    /// Given up after every retry (an administrator looks at these).
    pub failed: i64,
    /// Percent of messages delivered; `None` when there are none.
    pub rate_percent: Option<f64>,
    pub oldest_unsynced: Option<jiff::Timestamp>,
}

impl App {
    /// Queues the portal's message for an event, inside its transaction; `true` when queued.
    pub(crate) async fn queue_portal(
        &self,
        tx: &mut Tx,
        d: &DossierRow,
        p: &ProcedureView,
        applicant: Option<&Applicant>,
        e: Synced<'_>,
    ) -> Result<bool> {
        let Some(applicant) = applicant.filter(|_| self.notifier.portal.is_some()) else {
            return Ok(false);
        };
        if e.action == Action::Rate {
            return Ok(false);
        }
        let (Some(code), Some(status)) = (e.code.or(d.code.as_deref()), e.to.national_status())
        else {
            return Ok(false);
        };
        let paid = e.paid_online;
        let message = PortalDossier {
            loai_dong_bo: if e.action == Action::Submit {
                "create"
            } else {
                "update"
            }
            .into(),
            ma_ho_so: code.to_string(),
            ma_tthc: p.code.clone(),
            kenh_thuc_hien: d.channel,
            loai_doi_tuong: 1,
            chu_ho_so: applicant.name.clone(),
            dinh_danh_chs: applicant.personal_id.clone(),
            trang_thai_ho_so: i64::from(status),
            ngay_nop_ho_so: portal_time(e.patch.submitted_at.or(d.submitted_at)),
            ngay_tiep_nhan: portal_time(e.patch.received_at.or(d.received_at)),
            ngay_hen_tra: portal_time(e.patch.due_at.or(d.due_at)),
            ngay_ket_thuc_xu_ly: portal_time(e.patch.finished_at.or(d.finished_at)),
            duoc_thanh_toan_truc_tuyen: paid,
            tien_trinh: PortalProgress {
                so_thu_tu: e.seq,
                chuc_danh: e.actor.label().into(),
                thoi_diem_xu_ly: portal_time(Some(e.at)),
                noi_dung: match e.reason {
                    Some(r) => format!("{}: {r}", e.action.label()),
                    None => e.action.label().into(),
                },
                trang_thai: i64::from(status),
            },
        };
        let payload =
            serde_json::to_string(&message).map_err(|e| AppError::Internal(e.to_string()))?;
        tx.enqueue(
            &self.tenant,
            &OutboxRow {
                id: new_id(),
                channel: "portal".into(),
                dossier_id: Some(d.id.clone()),
                idempotency_key: format!("{}:{}:portal", d.id, e.seq),
                payload_sealed: self.vault.seal_text(&payload),
                attempts: 0,
                next_attempt_at: e.at,
                delivered_at: None,
                failed_at: None,
                last_error: None,
                created_at: e.at,
            },
        )
        .await?;
        Ok(true)
    }

    /// Administrators and supervisors: the sync rate, the backlog and the oldest unsynced event.
    pub async fn sync_status(&self, user: &CurrentUser) -> Result<SyncStatus> {
        if !matches!(user.role, Role::Admin | Role::Supervisor) {
            return Err(AppError::Forbidden(
                "Chỉ quản trị và giám sát xem tình hình đồng bộ.".into(),
            ));
        }
        let (messages, synced, failed, oldest) =
            self.db.outbox_stats(&self.tenant, "portal").await?;
        Ok(SyncStatus {
            messages,
            synced,
            backlog: messages - synced - failed,
            failed,
            rate_percent: (messages > 0)
                .then(|| (synced as f64 * 10_000.0 / messages as f64).round() / 100.0),
            oldest_unsynced: oldest.map(ts),
        })
    }
}
