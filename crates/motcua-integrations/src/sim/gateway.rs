//! The payment gateway simulator: merchant API, the payer's page, and the signed callback.
//!
//! Merchant calls carry `X-Motcua-Merchant` and `X-Motcua-Signature` (HMAC-SHA256 of the raw
//! body with the shared secret; a status query signs the session id). Gateway faults apply to
//! the merchant calls and to the payer's form; on the form, latency delays the callback rather
//! than the browser.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::delivery::dispatch;
use super::faults::Service;
use super::page::{message_page, pay_page};
use super::records::{CallbackRecord, Session};
use super::state::{ApiError, SimState, parse_json};
use crate::payment::{
    Callback, MERCHANT_HEADER, PaymentInfo, PaymentRequest, PaymentSession, PaymentStatus, Refund,
    RefundRequest, SIGNATURE_HEADER, SessionStatus, check_order, verify_signature,
};

/// `POST /gateway/payments`
pub(crate) async fn create(
    State(state): State<SimState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<PaymentSession>), ApiError> {
    let decision = state.decide(Service::Gateway);
    state.apply(&decision, true).await?;
    check_merchant(&state, &headers, &body)?;
    let request: PaymentRequest = parse_json(&body)?;
    if request.merchant_id != state.config().merchant_id {
        return Err(ApiError::bad_request(
            "Mã đơn vị trong nội dung khác mã trong tiêu đề.",
        ));
    }
    check_order(&request.order).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let session_id = state.new_id("PS", 16);
    let redirect_url = format!("{}/gateway/pay/{session_id}", state.public_url());
    state.data().sessions.insert(
        session_id.clone(),
        Session {
            session_id: session_id.clone(),
            merchant_id: request.merchant_id,
            order: request.order,
            status: SessionStatus::Pending,
            transaction_id: None,
            paid_at: None,
            created_at: jiff::Timestamp::now(),
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(PaymentSession {
            session_id,
            redirect_url,
        }),
    ))
}

/// `GET /gateway/payments/{session_id}`: the status query.
pub(crate) async fn query(
    State(state): State<SimState>,
    Path(session_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PaymentInfo>, ApiError> {
    let decision = state.decide(Service::Gateway);
    state.apply(&decision, true).await?;
    check_merchant(&state, &headers, session_id.as_bytes())?;
    let data = state.data();
    let session = data
        .sessions
        .get(&session_id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Không có phiên thanh toán này."))?;
    Ok(Json(PaymentInfo {
        session_id: session.session_id.clone(),
        reference: session.order.reference.clone(),
        amount_vnd: session.order.amount_vnd,
        status: session.status,
        transaction_id: session.transaction_id.clone(),
        paid_at: session.paid_at,
    }))
}

/// `GET /gateway/pay/{session_id}`: the payer's page.
pub(crate) async fn page(
    State(state): State<SimState>,
    Path(session_id): Path<String>,
) -> Response {
    let session = state.data().sessions.get(&session_id).cloned();
    match session {
        None => not_found(),
        Some(s) if s.status == SessionStatus::Pending => {
            Html(pay_page(&s, &state.config().merchant_name)).into_response()
        }
        Some(s) => finished(&s, StatusCode::OK),
    }
}

#[derive(Deserialize)]
pub(crate) struct PayForm {
    action: String,
}

/// `POST /gateway/pay/{session_id}`: the payer pressed "Thanh toán" or "Hủy".
pub(crate) async fn pay(
    State(state): State<SimState>,
    Path(session_id): Path<String>,
    form: Result<Form<PayForm>, FormRejection>,
) -> Response {
    let status = match form.as_ref().map(|f| f.action.as_str()) {
        Ok("pay") => PaymentStatus::Paid,
        Ok("cancel") => PaymentStatus::Failed,
        _ => {
            let page = message_page(
                "Yêu cầu không hợp lệ",
                "Hãy chọn Thanh toán hoặc Hủy trên trang xác nhận.",
                None,
            );
            return (StatusCode::BAD_REQUEST, Html(page)).into_response();
        }
    };
    let decision = state.decide(Service::Gateway);
    if let Err(e) = state.apply(&decision, false).await {
        let page = message_page(
            "Cổng thanh toán đang gián đoạn",
            "Giao dịch chưa được thực hiện, tài khoản của bạn chưa bị trừ tiền. Vui lòng thử lại sau ít phút.",
            None,
        );
        return (e.status(), Html(page)).into_response();
    }
    let transaction_id = state.new_id("FT", 14);
    let now = jiff::Timestamp::now();
    let (callback, order) = {
        let mut data = state.data();
        let Some(session) = data.sessions.get_mut(&session_id) else {
            return not_found();
        };
        if session.status != SessionStatus::Pending {
            let s = session.clone();
            drop(data);
            return finished(&s, StatusCode::CONFLICT);
        }
        session.status = match status {
            PaymentStatus::Paid => SessionStatus::Paid,
            PaymentStatus::Failed => SessionStatus::Failed,
        };
        session.transaction_id = Some(transaction_id.clone());
        session.paid_at = Some(now);
        let callback = Callback {
            merchant_id: session.merchant_id.clone(),
            session_id: Some(session_id.clone()),
            reference: session.order.reference.clone(),
            amount_vnd: session.order.amount_vnd,
            status,
            transaction_id,
            paid_at: now,
        };
        (callback, session.order.clone())
    };
    dispatch(&state, order.callback_url.clone(), callback, decision);
    match return_url(&order.return_url, status, &session_id) {
        Some(url) => Redirect::to(&url).into_response(),
        None => Html(message_page(
            "Đã ghi nhận",
            "Giao dịch đã được ghi nhận.",
            None,
        ))
        .into_response(),
    }
}

/// `POST /gateway/refunds`: gives back part or all of a paid session's money, once per
/// `request_id`; never more than was paid (all refunds of a transaction together).
pub(crate) async fn refund(
    State(state): State<SimState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Refund>, ApiError> {
    let decision = state.decide(Service::Gateway);
    state.apply(&decision, true).await?;
    check_merchant(&state, &headers, &body)?;
    let request: RefundRequest = parse_json(&body)?;
    if request.merchant_id != state.config().merchant_id {
        return Err(ApiError::bad_request(
            "Mã đơn vị trong nội dung khác mã trong tiêu đề.",
        ));
    }
    let mut data = state.data();
    if let Some(done) = data
        .refunds
        .iter()
        .find(|r| r.request_id == request.request_id)
    {
        return Ok(Json(done.clone()));
    }
    let paid = data
        .sessions
        .values()
        .find(|s| {
            s.status == SessionStatus::Paid
                && s.transaction_id.as_deref() == Some(request.transaction_id.as_str())
        })
        .map(|s| s.order.amount_vnd)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "Không có giao dịch đã thanh toán này.",
            )
        })?;
    let refunded: u64 = data
        .refunds
        .iter()
        .filter(|r| r.transaction_id == request.transaction_id)
        .map(|r| r.amount_vnd)
        .sum();
    if request.amount_vnd == 0 || refunded + request.amount_vnd > paid {
        return Err(ApiError::bad_request(
            "Số tiền hoàn vượt quá số tiền đã thanh toán.",
        ));
    }
    let n = data.next();
    let refund = Refund {
        refund_id: format!("RF{n:010}"),
        request_id: request.request_id,
        transaction_id: request.transaction_id,
        amount_vnd: request.amount_vnd,
        refunded_at: jiff::Timestamp::now(),
    };
    data.refunds.push(refund.clone());
    Ok(Json(refund))
}

/// `GET /gateway/refunds`
pub(crate) async fn refunds(State(state): State<SimState>) -> Json<Vec<Refund>> {
    Json(state.data().refunds.clone())
}

/// `GET /gateway/callbacks`
pub(crate) async fn callbacks(State(state): State<SimState>) -> Json<Vec<CallbackRecord>> {
    Json(state.data().callbacks.iter().cloned().collect())
}

fn check_merchant(state: &SimState, headers: &HeaderMap, signed: &[u8]) -> Result<(), ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header(MERCHANT_HEADER) != Some(state.config().merchant_id.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Mã đơn vị (X-Motcua-Merchant) không đúng.",
        ));
    }
    verify_signature(&state.config().secret, signed, header(SIGNATURE_HEADER))
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()))
}

/// `return_url` with `status` and `session` added to its query.
fn return_url(base: &str, status: PaymentStatus, session_id: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(base).ok()?;
    url.query_pairs_mut()
        .append_pair("status", status.as_str())
        .append_pair("session", session_id);
    Some(url.into())
}

fn not_found() -> Response {
    let page = message_page(
        "Không tìm thấy giao dịch",
        "Phiên thanh toán này không tồn tại hoặc đã hết hạn.",
        None,
    );
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

fn finished(session: &Session, code: StatusCode) -> Response {
    let text = match session.status {
        SessionStatus::Paid => "Giao dịch này đã được thanh toán.",
        _ => "Giao dịch này đã bị hủy.",
    };
    let status = match session.status {
        SessionStatus::Paid => PaymentStatus::Paid,
        _ => PaymentStatus::Failed,
    };
    let back = return_url(&session.order.return_url, status, &session.session_id);
    let page = message_page("Giao dịch đã được xử lý", text, back.as_deref());
    (code, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls_keep_their_query() {
        assert_eq!(
            return_url("http://a.vn/ho-so/1/thanh-toan", PaymentStatus::Paid, "PS1").unwrap(),
            "http://a.vn/ho-so/1/thanh-toan?status=paid&session=PS1"
        );
        assert_eq!(
            return_url("http://a.vn/x?lang=vi", PaymentStatus::Failed, "PS2").unwrap(),
            "http://a.vn/x?lang=vi&status=failed&session=PS2"
        );
    }
}
