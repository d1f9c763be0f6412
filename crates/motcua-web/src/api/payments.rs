//! Fees and online payment through the API, and the gateway's and the bank's signed notices.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use motcua_app::{FeeView, NoticeOutcome, PAYMENT_SIGNATURE_HEADER, ReceiptView};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct PaymentStarted {
    /// Send the payer's browser here.
    redirect_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeAnswer {
    /// `paid`, `unmatched`, `refunding` (paid at the gateway but not owed: given back), `failed`
    /// or `already_recorded`.
    #[schema(value_type = String)]
    outcome: NoticeOutcome,
}

/// The applicant, or the handling agency: what the dossier owes, what was paid, how to pay
/// (the VietQR payload for the outstanding amount).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/fees", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Fees, payments and the VietQR payload"), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn fees(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<FeeView>, ApiError> {
    Ok(Json(s.app.fees(&user, &id).await?))
}

/// The applicant: opens a payment at the gateway for what the dossier owes.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/payments", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 201, body = PaymentStarted), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody), (status = 503, body = super::ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path(id): Path<String>,
) -> Result<(axum::http::StatusCode, Json<PaymentStarted>), ApiError> {
    let redirect_url = s.app.start_gateway_payment(&user, &id).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(PaymentStarted { redirect_url }),
    ))
}

/// The applicant, or the handling agency: the e-receipt of a paid payment.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/payments/{payment}", security(("bearer" = [])),
    params(("id" = String, Path), ("payment" = String, Path)),
    responses((status = 200, description = "The e-receipt"), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn receipt(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
    Path((id, payment)): Path<(String, String)>,
) -> Result<Json<ReceiptView>, ApiError> {
    Ok(Json(s.app.payment_receipt(&user, &id, &payment).await?))
}

/// The payment gateway and the bank only: a notice signed with the shared secret
/// (`X-Motcua-Signature: hex(HMAC-SHA256(secret, body))`). Idempotent: the same notice again
/// answers `already_recorded` and changes nothing.
#[utoipa::path(post, path = "/api/v1/payments/callback",
    request_body(content = String, content_type = "application/json", description = "The notice: merchant_id, session_id, reference, amount_vnd, status, transaction_id, paid_at"),
    responses((status = 200, body = NoticeAnswer), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn callback(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<NoticeAnswer>, ApiError> {
    let signature = headers
        .get(PAYMENT_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let outcome = s.app.payment_callback(&body, signature).await?;
    Ok(Json(NoticeAnswer { outcome }))
}
