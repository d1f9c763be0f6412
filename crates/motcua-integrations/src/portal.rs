//! The national public service portal (Cổng Dịch vụ công quốc gia): every dossier event it must
//! know is sent as the dossier's state at that event plus one progress line, in the shape a
//! province's production system uses (DOMAIN.md). Each message carries an idempotency key, so
//! a retry after a lost answer is recognised and applied once.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{IntegrationError, http};

/// The header that carries the message's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// One sync message. Field names are the portal's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalDossier {
    /// `create` for the first message of a dossier, `update` after.
    pub loai_dong_bo: String,
    pub ma_ho_so: String,
    #[serde(rename = "MaTTHC")]
    pub ma_tthc: String,
    /// 1 in person, 2 online, 3 postal.
    pub kenh_thuc_hien: i64,
    /// 1 citizen, 2 enterprise, 3 state agency, 4 organisation.
    pub loai_doi_tuong: i64,
    pub chu_ho_so: String,
    #[serde(rename = "DinhDanhCHS")]
    pub dinh_danh_chs: String,
    /// National status code 1–10.
    pub trang_thai_ho_so: i64,
    /// `yyyyMMddHHmmss`, Vietnam time; empty when not yet known.
    pub ngay_nop_ho_so: String,
    pub ngay_tiep_nhan: String,
    pub ngay_hen_tra: String,
    pub ngay_ket_thuc_xu_ly: String,
    pub duoc_thanh_toan_truc_tuyen: bool,
    pub tien_trinh: PortalProgress,
}

/// One line of the dossier's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalProgress {
    /// The event's sequence number in the dossier's history.
    pub so_thu_tu: i64,
    pub chuc_danh: String,
    pub thoi_diem_xu_ly: String,
    pub noi_dung: String,
    pub trang_thai: i64,
}

/// The portal's answer: `error_code` 0 is success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalAnswer {
    pub error_code: i64,
    pub message: String,
}

/// A dossier a citizen filed on the national portal for one of the province's procedures, to be
/// pulled into the agency's intake queue. Field names are the portal's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FiledDossier {
    /// The national portal's own reference; empty when filing into the simulator (it assigns one).
    #[serde(default)]
    pub ma_ho_so_quoc_gia: String,
    #[serde(rename = "MaTTHC")]
    pub ma_tthc: String,
    /// The receiving agency's electronic identifier.
    pub ma_co_quan: String,
    pub chu_ho_so: String,
    /// The applicant's personal ID, verified by the national identity service at sign-in.
    #[serde(rename = "DinhDanhCHS")]
    pub dinh_danh_chs: String,
    #[serde(default)]
    pub so_dien_thoai: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The declaration, by the procedure's field keys.
    #[serde(default)]
    pub to_khai: std::collections::BTreeMap<String, String>,
}

/// One page of filed dossiers after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledPage {
    pub items: Vec<FiledDossier>,
    /// Pass it as `after` next time; the same cursor again gives the same items again.
    pub next: u64,
}

/// A client of the portal's sync API.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: reqwest::Client,
    base: String,
}

impl PortalClient {
    pub fn new(base_url: &str, timeout: Duration) -> Result<PortalClient, IntegrationError> {
        Ok(PortalClient {
            http: http::client(timeout)?,
            base: http::base_url(base_url)?,
        })
    }

    /// The dossiers filed on the portal after `after` (at most `limit`).
    pub async fn filed(&self, after: u64, limit: usize) -> Result<FiledPage, IntegrationError> {
        http::may_call()?;
        let resp = self
            .http
            .get(format!("{}/portal/filed", self.base))
            .query(&[("after", after.to_string()), ("limit", limit.to_string())])
            .send()
            .await?;
        http::read_json(resp).await
    }

    /// Sends one message; success only when the portal says `error_code` 0.
    pub async fn sync(&self, key: &str, message: &PortalDossier) -> Result<(), IntegrationError> {
        http::may_call()?;
        let resp = self
            .http
            .post(format!("{}/portal/dossiers", self.base))
            .header(IDEMPOTENCY_HEADER, key)
            .json(message)
            .send()
            .await?;
        let answer: PortalAnswer = http::read_json(resp).await?;
        if answer.error_code == 0 {
            Ok(())
        } else {
            Err(IntegrationError::Rejected {
                status: 422,
                message: answer.message.chars().take(200).collect(),
            })
        }
    }
}
