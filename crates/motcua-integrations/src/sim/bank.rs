//! A bank paying a VietQR code: `POST /bank/transfer {payload}` reads the code as a banking app
//! does and notifies the configured `callback_url` with the same signed callback as the gateway,
//! the reference being the transfer text (62.08). Bank faults: errors and hangs answer the
//! transfer; latency, duplicates and drops act on the callback.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::delivery::dispatch;
use super::faults::Service;
use super::state::{ApiError, SimState, parse_json};
use crate::payment::{Callback, PaymentStatus};
use crate::vietqr;

/// A transfer order: the scanned payload; the amount only when the code has none (static).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRequest {
    pub payload: String,
    #[serde(default)]
    pub amount_vnd: Option<u64>,
}

/// The bank's receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferReceipt {
    pub transaction_id: String,
    pub bank_bin: String,
    pub account: String,
    pub amount_vnd: u64,
    pub reference: String,
}

/// `POST /bank/transfer`
pub(crate) async fn transfer(
    State(state): State<SimState>,
    body: Bytes,
) -> Result<Json<TransferReceipt>, ApiError> {
    let decision = state.decide(Service::Bank);
    state.apply(&decision, false).await?;
    let request: TransferRequest = parse_json(&body)?;
    let qr = vietqr::parse(&request.payload).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let reference = qr.reference.clone().ok_or_else(|| {
        ApiError::bad_request("Mã VietQR không có nội dung chuyển khoản (62.08).")
    })?;
    let amount_vnd = match (qr.amount_vnd, request.amount_vnd) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::bad_request(
                "Mã VietQR đã ghi số tiền; không được chuyển số tiền khác.",
            ));
        }
        (Some(a), _) | (None, Some(a)) if a > 0 => a,
        _ => return Err(ApiError::bad_request("Thiếu số tiền chuyển khoản.")),
    };
    let url = state.config().callback_url.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "Máy giả lập chưa được cấu hình địa chỉ nhận thông báo (callback_url).",
        )
    })?;
    let transaction_id = state.new_id("FT", 14);
    let callback = Callback {
        merchant_id: state.config().merchant_id.clone(),
        session_id: None,
        reference: reference.clone(),
        amount_vnd,
        status: PaymentStatus::Paid,
        transaction_id: transaction_id.clone(),
        paid_at: jiff::Timestamp::now(),
    };
    dispatch(&state, url, callback, decision);
    Ok(Json(TransferReceipt {
        transaction_id,
        bank_bin: qr.bank_bin,
        account: qr.account,
        amount_vnd,
        reference,
    }))
}
