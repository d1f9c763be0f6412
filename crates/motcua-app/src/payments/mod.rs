//! Paying a dossier's fees online: by a VietQR bank transfer to the receiving agency's account
//! (the transfer text is the dossier code) or through the payment gateway. Only a signed notice
//! from the gateway or the bank, or the gateway's own answer to a signed status query, counts as
//! payment; the browser's return is a courtesy. A notice that comes twice or late changes
//! nothing: the bank's transaction id is unique, and a session is settled once.

use std::time::Duration;

use motcua_domain::EventKind;
use motcua_domain::fees::{self, FeeLine, FeeQuote};
use motcua_integrations::payment::{self, Callback, GatewayClient, PaymentStatus, SessionStatus};
use motcua_integrations::vietqr::{self, VietQr};
use motcua_store::{DossierRow, PaymentRow, Settlement};
use serde::Serialize;
use serde_json::json;

use crate::dossiers::funnel::{Change, system_record};
use crate::dossiers::state_of;
use crate::views::ts;
use crate::{App, AppError, CurrentUser, Integrations, Result, new_id, now_micros};

mod opening;
mod refunds;

pub(crate) use refunds::REFUND_CHANNEL;

/// A gateway session with no notice after this long is asked about.
const RECONCILE_AFTER: Duration = Duration::from_secs(120);
/// Sessions asked about in one round of reconciliation.
const RECONCILE_BATCH: i64 = 50;
/// Tries of one notice that meets concurrent actions on its dossier.
const NOTICE_TRIES: u32 = 5;

/// The gateway, the secret that signs its and the bank's notices, and the address they reach.
#[derive(Clone, Default)]
pub(crate) struct PaymentSettings {
    pub(crate) gateway: Option<GatewayClient>,
    /// `scheme://host[:port]` of the gateway, which the payer's browser is sent to.
    gateway_origin: Option<String>,
    secret: Option<String>,
    public_url: Option<String>,
}

impl PaymentSettings {
    pub(crate) fn new(i: &Integrations) -> Result<PaymentSettings> {
        let public_url = i
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string());
        let gateway = match (&i.gateway_url, &i.payment_secret, &public_url) {
            (Some(url), Some(secret), Some(_)) => Some(
                GatewayClient::new(
                    url,
                    i.merchant_id.clone().unwrap_or_default(),
                    secret.clone(),
                    Duration::from_secs(10),
                )
                .map_err(|e| AppError::Internal(format!("payment gateway: {e}")))?,
            ),
            _ => None,
        };
        let gateway_origin = gateway
            .as_ref()
            .and(i.gateway_url.as_deref())
            .and_then(origin_of);
        Ok(PaymentSettings {
            gateway,
            gateway_origin,
            secret: i.payment_secret.clone(),
            public_url,
        })
    }
}

/// `scheme://authority` of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (matches!(scheme, "http" | "https") && !authority.is_empty())
        .then(|| format!("{scheme}://{authority}"))
}

/// A dossier's fees as its page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct FeeView {
    pub quote: FeeQuote,
    pub paid_vnd: u64,
    pub outstanding_vnd: u64,
    /// The applicant can pay now (owes something, the dossier is filed and not closed).
    pub payable: bool,
    /// The VietQR payload for the outstanding amount, when the agency has an account.
    pub vietqr: Option<String>,
    pub bank_account: Option<String>,
    /// The payment gateway is connected.
    pub gateway: bool,
    pub payments: Vec<PaymentView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub id: String,
    pub method: String,
    pub method_label: &'static str,
    pub amount_vnd: i64,
    pub status: String,
    pub status_label: &'static str,
    pub paid_vnd: Option<i64>,
    pub paid_at: Option<jiff::Timestamp>,
    pub receipt_no: Option<String>,
    /// Paid but not owed, and given back through the gateway.
    pub refunded_at: Option<jiff::Timestamp>,
}

/// The e-receipt (biên lai điện tử) of one payment.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptView {
    pub receipt_no: String,
    pub dossier_id: String,
    pub dossier_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub payer_name: String,
    pub lines: Vec<FeeLine>,
    pub paid_vnd: i64,
    pub paid_at: jiff::Timestamp,
    pub method_label: &'static str,
    pub transaction_id: String,
}

/// What became of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeOutcome {
    /// The fee is paid; the dossier's history says so.
    Paid,
    /// Money came but not what was owed (or twice): kept for an officer to settle.
    Unmatched,
    /// Paid at the gateway but not owed (a fee paid twice): being given back through it.
    Refunding,
    Failed,
    /// Seen before: nothing changed.
    AlreadyRecorded,
}

fn method_label(method: &str) -> &'static str {
    match method {
        "vietqr" => "Chuyển khoản bằng mã VietQR",
        _ => "Cổng thanh toán trực tuyến",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "paid" => "Đã thanh toán",
        "failed" => "Không thành công",
        "unmatched" => "Chưa khớp số tiền – cơ quan sẽ liên hệ",
        "abandoned" => "Đã thay bằng phiên thanh toán mới",
        "refunding" => "Nộp thừa – đang hoàn trả qua cổng thanh toán",
        "refunded" => "Nộp thừa – đã hoàn trả",
        _ => "Đang chờ xác nhận",
    }
}

fn view(p: &PaymentRow) -> PaymentView {
    PaymentView {
        id: p.id.clone(),
        method: p.method.clone(),
        method_label: method_label(&p.method),
        amount_vnd: p.amount_vnd,
        status: p.status.clone(),
        status_label: status_label(&p.status),
        paid_vnd: p.paid_vnd,
        paid_at: p.paid_at.map(ts),
        receipt_no: p.receipt_no.clone(),
        refunded_at: p.refunded_at.map(ts),
    }
}

fn paid_total(payments: &[PaymentRow]) -> u64 {
    payments
        .iter()
        .filter(|p| p.status == "paid")
        .filter_map(|p| p.paid_vnd)
        .map(|v| u64::try_from(v).unwrap_or(0))
        .sum()
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A notice from the gateway or the bank, or the gateway's answer to a status query.
#[derive(Clone)]
struct Notice {
    session_id: Option<String>,
    reference: String,
    amount_vnd: u64,
    status: PaymentStatus,
    transaction_id: String,
    paid_at: jiff::Timestamp,
}

impl From<Callback> for Notice {
    fn from(c: Callback) -> Notice {
        Notice {
            session_id: c.session_id,
            reference: c.reference,
            amount_vnd: c.amount_vnd,
            status: c.status,
            transaction_id: c.transaction_id,
            paid_at: c.paid_at,
        }
    }
}

impl App {
    /// Where the payer's browser goes to pay (pages that send it there allow it as a form
    /// target); `None` without a gateway.
    pub fn payment_gateway_origin(&self) -> Option<&str> {
        self.payments.gateway_origin.as_deref()
    }

    /// What the dossier owes now, from its procedure version and its form.
    async fn quote_of(&self, d: &DossierRow) -> Result<FeeQuote> {
        let p = self.procedure_of(d).await?;
        let form = self.form_of(d)?;
        Ok(fees::quote(
            u64::try_from(p.fee_vnd).unwrap_or(0),
            u64::try_from(p.online_fee_vnd).unwrap_or(0),
            d.channel == crate::dossiers::CHANNEL_ONLINE,
            &p.definition.fees,
            &form,
        ))
    }

    /// The dossier's fees, what was paid and how to pay the rest.
    pub async fn fees(&self, user: &CurrentUser, id: &str) -> Result<FeeView> {
        let d = self.visible_dossier(user, id).await?;
        let quote = self.quote_of(&d).await?;
        let payments = self.db.payments_of_dossier(&d.id).await?;
        let paid_vnd = paid_total(&payments);
        let outstanding_vnd = quote.amount_vnd.saturating_sub(paid_vnd);
        let payable = outstanding_vnd > 0 && fees::accepts_payment(state_of(&d)?);
        let agency = self.catalog().agency(&d.agency_id).cloned();
        let account = agency
            .as_ref()
            .and_then(|a| Some((a.bank_bin.clone()?, a.bank_account.clone()?)));
        let vietqr = match (&account, &d.code) {
            (Some((bin, acc)), Some(code)) if payable => {
                VietQr::new(bin, acc, outstanding_vnd, code).payload().ok()
            }
            _ => None,
        };
        Ok(FeeView {
            quote,
            paid_vnd,
            outstanding_vnd,
            payable,
            vietqr,
            bank_account: account.map(|(_, acc)| acc),
            gateway: self.payments.gateway.is_some(),
            payments: payments.iter().map(view).collect(),
        })
    }

    /// A signed notice from the gateway or the bank (`POST /api/v1/payments/callback`).
    pub async fn payment_callback(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<NoticeOutcome> {
        let secret = self.payments.secret.as_deref().ok_or_else(|| {
            AppError::Unavailable("Chưa cấu hình khóa ký của cổng thanh toán.".into())
        })?;
        let callback = payment::verify_callback(secret, body, signature).map_err(|e| match e {
            payment::CallbackError::BadJson(_) => AppError::invalid(e.to_string()),
            _ => AppError::BadSignature(e.to_string()),
        })?;
        self.apply_notice(callback.into()).await
    }

    /// The browser is back from the gateway: ask the gateway (a signed query) rather than
    /// believe the address, so the applicant sees the outcome even before the notice arrives.
    pub async fn payment_returned(
        &self,
        user: &CurrentUser,
        id: &str,
        session_id: &str,
    ) -> Result<()> {
        let d = self.visible_dossier(user, id).await?;
        let Some(p) = self.db.payment_by_session(session_id).await? else {
            return Err(AppError::NotFound);
        };
        if p.dossier_id != d.id {
            return Err(AppError::NotFound);
        }
        if p.status == "pending" {
            // A gateway that does not answer now is asked again by the reconciliation job.
            let _ = self.reconcile_one(&p).await;
        }
        Ok(())
    }

    /// Asks the gateway about sessions whose notice never came; returns how many were settled.
    pub async fn reconcile_payments(&self) -> Result<usize> {
        self.reconcile_payments_at(now_micros()).await
    }

    /// Asks about the sessions opened long enough before `now` whose notice never came.
    pub(crate) async fn reconcile_payments_at(&self, now: i64) -> Result<usize> {
        let before = now - RECONCILE_AFTER.as_micros() as i64;
        let mut settled = 0;
        for p in self
            .db
            .pending_gateway_payments(before, RECONCILE_BATCH)
            .await?
        {
            match self.reconcile_one(&p).await {
                Ok(Some(_)) => settled += 1,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "payment reconciliation: gateway query failed")
                }
            }
        }
        Ok(settled)
    }

    async fn reconcile_one(&self, p: &PaymentRow) -> Result<Option<NoticeOutcome>> {
        let (Some(gateway), Some(session)) = (&self.payments.gateway, &p.session_id) else {
            return Ok(None);
        };
        let info = gateway
            .payment(session)
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        let status = match info.status {
            SessionStatus::Pending => return Ok(None),
            SessionStatus::Paid => PaymentStatus::Paid,
            SessionStatus::Failed => PaymentStatus::Failed,
        };
        let notice = Notice {
            session_id: Some(info.session_id.clone()),
            reference: info.reference,
            amount_vnd: info.amount_vnd,
            status,
            transaction_id: info
                .transaction_id
                .unwrap_or_else(|| format!("session:{}", info.session_id)),
            paid_at: info.paid_at.unwrap_or_else(jiff::Timestamp::now),
        };
        self.apply_notice(notice).await.map(Some)
    }

    /// Records a notice once: matched to its session or, for a transfer, to the dossier whose
    /// code is the transfer text. An action on the dossier at the same moment makes the first
    /// try a conflict; the notice is nobody's decision, so it is simply read again and retried.
    async fn apply_notice(&self, n: Notice) -> Result<NoticeOutcome> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.apply_notice_once(n.clone()).await {
                Err(AppError::Conflict) if tries < NOTICE_TRIES => continue,
                outcome => return outcome,
            }
        }
    }

    async fn apply_notice_once(&self, n: Notice) -> Result<NoticeOutcome> {
        if self
            .db
            .payment_by_transaction(&n.transaction_id)
            .await?
            .is_some()
        {
            return Ok(NoticeOutcome::AlreadyRecorded);
        }
        let session_payment = match &n.session_id {
            Some(s) => Some(
                self.db
                    .payment_by_session(s)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let d = match &session_payment {
            Some(p) => self.db.dossier(&self.tenant, &p.dossier_id).await?,
            None => self.dossier_by_reference(&n.reference).await?,
        }
        .ok_or(AppError::NotFound)?;
        if session_payment
            .as_ref()
            .is_some_and(|p| !matches!(p.status.as_str(), "pending" | "abandoned"))
        {
            return Ok(NoticeOutcome::AlreadyRecorded);
        }
        let quote = self.quote_of(&d).await?;
        let payments = self.db.payments_of_dossier(&d.id).await?;
        let outstanding = quote.amount_vnd.saturating_sub(paid_total(&payments));
        let now = now_micros();
        let outcome = match n.status {
            PaymentStatus::Failed => NoticeOutcome::Failed,
            PaymentStatus::Paid if n.amount_vnd == outstanding && outstanding > 0 => {
                NoticeOutcome::Paid
            }
            // Paid at the gateway but not owed: it goes back the way it came.
            PaymentStatus::Paid if session_payment.is_some() => NoticeOutcome::Refunding,
            PaymentStatus::Paid => NoticeOutcome::Unmatched,
        };
        let status = match outcome {
            NoticeOutcome::Paid => "paid",
            NoticeOutcome::Failed => "failed",
            NoticeOutcome::Refunding => "refunding",
            _ => "unmatched",
        };
        let paid_count = payments.iter().filter(|p| p.status == "paid").count();
        let receipt_no = (outcome == NoticeOutcome::Paid).then(|| {
            format!(
                "BL-{}-{}",
                d.code.as_deref().unwrap_or(&d.id),
                paid_count + 1
            )
        });
        let settlement = Settlement {
            status,
            transaction_id: &n.transaction_id,
            paid_vnd: to_i64(n.amount_vnd),
            paid_at: n.paid_at.as_microsecond(),
            receipt_no: receipt_no.as_deref(),
            now,
        };
        let before = match outcome {
            NoticeOutcome::Paid => Some(self.before(&d, EventKind::FeePaid).await?),
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        let payment_id = match &session_payment {
            Some(p) => {
                if !tx.settle_payment(&p.id, &settlement).await? {
                    return Ok(NoticeOutcome::AlreadyRecorded);
                }
                p.id.clone()
            }
            None => {
                let id = new_id();
                tx.insert_payment(
                    &self.tenant,
                    &PaymentRow {
                        id: id.clone(),
                        dossier_id: d.id.clone(),
                        method: "vietqr".into(),
                        amount_vnd: to_i64(outstanding),
                        session_id: None,
                        status: status.into(),
                        transaction_id: Some(n.transaction_id.clone()),
                        paid_vnd: (n.status == PaymentStatus::Paid).then(|| to_i64(n.amount_vnd)),
                        paid_at: Some(settlement.paid_at),
                        receipt_no: receipt_no.clone(),
                        created_at: now,
                        updated_at: now,
                        redirect_url: None,
                        refund_id: None,
                        refunded_at: None,
                    },
                )
                .await?;
                id
            }
        };
        let mut queued = false;
        if outcome == NoticeOutcome::Refunding {
            let order = refunds::RefundOrder {
                payment_id: payment_id.clone(),
                dossier_id: d.id.clone(),
                transaction_id: n.transaction_id.clone(),
                amount_vnd: n.amount_vnd,
            };
            self.queue_refund(&mut tx, &order).await?;
            queued = true;
        }
        match &before {
            Some(before) => {
                let data = json!({
                    "amount_vnd": n.amount_vnd,
                    "payment_id": payment_id,
                    "receipt_no": receipt_no,
                });
                let event = system_record(&d, EventKind::FeePaid, now, data);
                let change = Change::plain(&d, EventKind::FeePaid, event);
                queued |= self.record(&mut tx, &change, before).await?.1;
            }
            // No event, but what the payments say moves the figures.
            None => tx.refresh_dossier_index(&d.id).await?,
        }
        match tx.commit().await {
            Ok(()) => {
                if queued {
                    self.wake_notifier();
                }
                Ok(outcome)
            }
            // The same notice, at the same moment, through another connection.
            Err(_)
                if self
                    .db
                    .payment_by_transaction(&n.transaction_id)
                    .await?
                    .is_some() =>
            {
                Ok(NoticeOutcome::AlreadyRecorded)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The dossier a transfer text names: the code as written, or with the dots and dashes
    /// that banking apps drop put back.
    async fn dossier_by_reference(&self, reference: &str) -> Result<Option<DossierRow>> {
        let reference = reference.trim();
        if motcua_domain::code::looks_like_dossier_code(reference)
            && let Some(d) = self.db.dossier_by_code(&self.tenant, reference).await?
        {
            return Ok(Some(d));
        }
        match motcua_domain::code::code_from_key(&vietqr::reference_key(reference)) {
            Some(code) => Ok(self.db.dossier_by_code(&self.tenant, &code).await?),
            None => Ok(None),
        }
    }

    /// The e-receipt of a paid payment, for the applicant and the handling agency.
    pub async fn payment_receipt(
        &self,
        user: &CurrentUser,
        dossier_id: &str,
        payment_id: &str,
    ) -> Result<ReceiptView> {
        let d = self.visible_dossier(user, dossier_id).await?;
        let p = self
            .db
            .payment(payment_id)
            .await?
            .filter(|p| p.dossier_id == d.id && p.status == "paid")
            .ok_or(AppError::NotFound)?;
        let procedure = self.procedure_of(&d).await?;
        let applicant = self
            .db
            .user(&d.applicant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let paid_vnd = p.paid_vnd.unwrap_or(0);
        let quote = self.quote_of(&d).await?;
        // The lines as quoted, when they still add up to what was paid (a later change of the
        // form, after a supplement, may have changed them).
        let lines = if to_i64(quote.amount_vnd) == paid_vnd {
            quote.lines
        } else {
            vec![FeeLine {
                label: "Phí, lệ phí".into(),
                amount_vnd: paid_vnd,
            }]
        };
        Ok(ReceiptView {
            receipt_no: p.receipt_no.clone().unwrap_or_default(),
            dossier_id: d.id.clone(),
            dossier_code: d.code.clone().unwrap_or_default(),
            procedure_name: procedure.name,
            agency_name: self
                .catalog()
                .agency(&d.agency_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            payer_name: self.open_text(&applicant.display_name_sealed)?,
            lines,
            paid_vnd,
            paid_at: ts(p.paid_at.unwrap_or(p.updated_at)),
            method_label: method_label(&p.method),
            transaction_id: p.transaction_id.clone().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_origin_of_a_gateway_url() {
        assert_eq!(
            origin_of("http://127.0.0.1:8090").as_deref(),
            Some("http://127.0.0.1:8090")
        );
        assert_eq!(
            origin_of("https://pay.example.vn/api/v2?x=1").as_deref(),
            Some("https://pay.example.vn")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("pay.example.vn"), None);
    }
}
