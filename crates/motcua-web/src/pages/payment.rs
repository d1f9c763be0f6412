//! Paying a dossier's fees from its page: a VietQR code for any banking app, or the payment
//! gateway; the way back from the gateway; the e-receipt.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::{AppError, CurrentUser, DossierView, FeeView, ReceiptView};
use serde::Deserialize;

use super::{CsrfForm, Layout, render};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

/// The fees section of a dossier's page.
pub struct FeeVm {
    pub view: FeeView,
    /// The VietQR payload drawn as a QR code.
    pub qr: Option<String>,
    /// The applicant is looking (only they pay).
    pub owner: bool,
}

/// The fees section, or `None` for a procedure without fees and nothing paid.
pub async fn fee_vm(
    s: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<Option<FeeVm>, PageError> {
    let view = s.app.fees(user, id).await?;
    if view.quote.lines.is_empty() && view.payments.is_empty() {
        return Ok(None);
    }
    let qr = view.vietqr.as_deref().and_then(|payload| {
        crate::qr::qr_svg(
            payload,
            "Mã VietQR: quét bằng ứng dụng ngân hàng để chuyển đúng số tiền và nội dung",
        )
    });
    Ok(Some(FeeVm {
        qr,
        owner: user.role == motcua_app::domain::Role::Citizen,
        view,
    }))
}

/// A page with the fees form: its policy lets the form lead to the gateway.
pub fn allow_gateway(s: &AppState, fees: Option<&FeeVm>, mut response: Response) -> Response {
    let pays = fees.is_some_and(|f| f.owner && f.view.payable && f.view.gateway);
    if let (true, Some(origin)) = (pays, s.app.payment_gateway_origin())
        && let Ok(value) = HeaderValue::from_str(&crate::csp_with_form_target(origin))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The note shown when the applicant comes back from the gateway.
pub fn returned_message(_d: &DossierView) -> String {
    "Đã nhận kết quả từ cổng thanh toán. Trạng thái thanh toán được ghi ở mục Phí, lệ phí bên dưới."
        .to_string()
}

/// The applicant: off to the gateway. If it does not answer, the dossier page says so and
/// offers the VietQR code instead.
pub async fn start(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, f.csrf.as_deref())?;
    match s.app.start_gateway_payment(&user, &id).await {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(e @ (AppError::Unavailable(_) | AppError::Invalid { .. })) => {
            super::dossier::refused(&s, user, &id, e).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReturnQuery {
    session: Option<String>,
}

/// The applicant's browser, back from the gateway: the gateway is asked, not the address.
pub async fn returned(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(q): Query<ReturnQuery>,
) -> Result<Response, PageError> {
    let session = q.session.unwrap_or_default();
    s.app.payment_returned(&user, &id, &session).await?;
    Ok(Redirect::to(&format!("/dossiers/{id}?done=payment#fees")).into_response())
}

#[derive(Template)]
#[template(path = "payment_receipt.html")]
struct ReceiptPage {
    layout: Layout,
    r: ReceiptView,
}

/// The applicant, or an official of the handling agency.
pub async fn receipt(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Path((id, payment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let r = s.app.payment_receipt(&user, &id, &payment).await?;
    render(&ReceiptPage {
        layout: Layout::new(format!("Biên lai {}", r.receipt_no), Some(user)),
        r,
    })
}
