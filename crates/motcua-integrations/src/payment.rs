//! Online payment through a gateway: we create a payment session, send the citizen's browser to
//! the gateway's page, and learn the result from a signed callback (the browser's return is only
//! a courtesy: it can be lost or forged).
//!
//! Merchant requests are signed like callbacks: `X-Motcua-Merchant: <merchant id>` and
//! `X-Motcua-Signature: hex(HMAC-SHA256(secret, raw body))`; a status query (no body) signs the
//! session id.

mod callback;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use callback::{
    Callback, CallbackError, PaymentStatus, SIGNATURE_HEADER, sign, verify_callback,
    verify_signature,
};

use crate::{IntegrationError, http};

/// The header naming the merchant on requests to the gateway.
pub const MERCHANT_HEADER: &str = "X-Motcua-Merchant";

/// Longest description a gateway shows on its page.
const DESCRIPTION_MAX_CHARS: usize = 255;

/// What to collect, and where the gateway answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOrder {
    /// The dossier code.
    pub reference: String,
    pub amount_vnd: u64,
    /// Shown to the payer, e.g. "Lệ phí đăng ký khai sinh".
    pub description: String,
    /// Where the payer's browser goes back to, with `?status=paid|failed&session=…`.
    pub return_url: String,
    /// Where the gateway POSTs the signed [`Callback`].
    pub callback_url: String,
}

/// The body of `POST /gateway/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub merchant_id: String,
    #[serde(flatten)]
    pub order: PaymentOrder,
}

/// A created payment: send the payer's browser to `redirect_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSession {
    pub session_id: String,
    pub redirect_url: String,
}

/// Where a session stands, as the gateway's status query tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    Pending,
    Paid,
    Failed,
}

/// The answer to a status query, for reconciling payments whose callback never came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInfo {
    pub session_id: String,
    pub reference: String,
    pub amount_vnd: u64,
    pub status: SessionStatus,
    pub transaction_id: Option<String>,
    pub paid_at: Option<jiff::Timestamp>,
}

/// The body of `POST /gateway/refunds`: money paid that was not owed (a fee paid twice) goes
/// back to the payer by the way it came. `request_id` makes the call idempotent: the same id
/// again is answered with the same refund, never a second one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    pub merchant_id: String,
    pub request_id: String,
    /// The gateway's transaction that paid.
    pub transaction_id: String,
    pub amount_vnd: u64,
    pub reason: String,
}

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub refund_id: String,
    pub request_id: String,
    pub transaction_id: String,
    pub amount_vnd: u64,
    pub refunded_at: jiff::Timestamp,
}

/// A client of the payment gateway for one merchant.
#[derive(Debug, Clone)]
pub struct GatewayClient {
    http: reqwest::Client,
    base: String,
    merchant_id: String,
    secret: String,
}

impl GatewayClient {
    /// `base_url` is the gateway's root (e.g. `http://127.0.0.1:8090`); `timeout` bounds each call.
    pub fn new(
        base_url: &str,
        merchant_id: impl Into<String>,
        secret: impl Into<String>,
        timeout: Duration,
    ) -> Result<GatewayClient, IntegrationError> {
        Ok(GatewayClient {
            http: http::client(timeout)?,
            base: http::base_url(base_url)?,
            merchant_id: merchant_id.into(),
            secret: secret.into(),
        })
    }

    /// Opens a payment session. Not idempotent at the gateway: on a timeout, query by reference
    /// before creating another, or accept that the first session may go unused.
    pub async fn create_payment(
        &self,
        order: &PaymentOrder,
    ) -> Result<PaymentSession, IntegrationError> {
        http::may_call()?;
        check_order(order)?;
        let request = PaymentRequest {
            merchant_id: self.merchant_id.clone(),
            order: order.clone(),
        };
        self.signed_post("payments", &request).await
    }

    /// A merchant request: the JSON body signed with the shared secret.
    async fn signed_post<T: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        request: &T,
    ) -> Result<A, IntegrationError> {
        let body =
            serde_json::to_vec(request).map_err(|e| IntegrationError::Invalid(e.to_string()))?;
        let resp = self
            .http
            .post(format!("{}/gateway/{path}", self.base))
            .header(MERCHANT_HEADER, &self.merchant_id)
            .header(SIGNATURE_HEADER, sign(&self.secret, &body))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await?;
        http::read_json(resp).await
    }

    /// Gives back `amount_vnd` of `transaction_id`; safe to repeat with the same `request_id`.
    pub async fn refund(
        &self,
        request_id: &str,
        transaction_id: &str,
        amount_vnd: u64,
        reason: &str,
    ) -> Result<Refund, IntegrationError> {
        http::may_call()?;
        if amount_vnd == 0 || transaction_id.trim().is_empty() || request_id.trim().is_empty() {
            return Err(IntegrationError::Invalid(
                "yêu cầu hoàn tiền cần mã giao dịch, mã yêu cầu và số tiền".into(),
            ));
        }
        let request = RefundRequest {
            merchant_id: self.merchant_id.clone(),
            request_id: request_id.to_string(),
            transaction_id: transaction_id.to_string(),
            amount_vnd,
            reason: reason.chars().take(DESCRIPTION_MAX_CHARS).collect(),
        };
        self.signed_post("refunds", &request).await
    }

    /// The gateway's view of a session.
    pub async fn payment(&self, session_id: &str) -> Result<PaymentInfo, IntegrationError> {
        http::may_call()?;
        if session_id.is_empty()
            || !session_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            return Err(IntegrationError::Invalid("mã phiên thanh toán".into()));
        }
        let resp = self
            .http
            .get(format!("{}/gateway/payments/{session_id}", self.base))
            .header(MERCHANT_HEADER, &self.merchant_id)
            .header(SIGNATURE_HEADER, sign(&self.secret, session_id.as_bytes()))
            .send()
            .await?;
        http::read_json(resp).await
    }
}

/// What any gateway would refuse, refused before the call. Shared with the simulator.
pub fn check_order(order: &PaymentOrder) -> Result<(), IntegrationError> {
    let invalid = |what: &str| Err(IntegrationError::Invalid(what.to_string()));
    if order.reference.trim().is_empty() || order.reference.chars().count() > 64 {
        return invalid("mã tham chiếu (mã hồ sơ) phải có từ 1 đến 64 ký tự");
    }
    if order.amount_vnd == 0 {
        return invalid("số tiền phải lớn hơn 0");
    }
    if order.description.chars().count() > DESCRIPTION_MAX_CHARS {
        return invalid("nội dung thanh toán dài quá 255 ký tự");
    }
    for (url, what) in [
        (&order.return_url, "địa chỉ quay lại (return_url)"),
        (&order.callback_url, "địa chỉ nhận thông báo (callback_url)"),
    ] {
        if http::base_url(url).is_err() {
            return Err(IntegrationError::Invalid(format!(
                "{what} phải là địa chỉ http:// hoặc https://"
            )));
        }
    }
    Ok(())
}
