//! One open gateway session per dossier. "Pay" opens one, and pressing it again (another tab,
//! a double click, ten at once) is given the same one: a session is reserved in the database
//! before the gateway is asked (a unique index holds one open or opening session per dossier),
//! and whoever finds it reserved waits for its address. A session too old to trust, or for an
//! amount no longer owed, is set aside for a new one; if it is paid after all, the money is
//! matched or given back (see `refunds`).

use std::time::Duration;

use motcua_domain::dossier::Relation;
use motcua_integrations::payment::PaymentOrder;
use motcua_store::PaymentRow;

use super::to_i64;
use crate::dossiers::relation;
use crate::{App, AppError, CurrentUser, Result, new_id, now_micros};

/// An open session is given again for this long; an older one is set aside for a new one.
const SESSION_REUSED_FOR: Duration = Duration::from_secs(15 * 60);
/// A reservation whose session never opened (its node died while asking) is dropped after this
/// (longer than the gateway client's 10 s timeout).
const OPENING_STALE_AFTER: Duration = Duration::from_secs(15);
/// How long a second "pay" waits for the first one's session, and how often it looks.
const WAIT_FOR_OPENING: Duration = Duration::from_secs(20);
const LOOK_EVERY: Duration = Duration::from_millis(50);

impl App {
    /// Opens (or gives again) the gateway session for what the applicant's dossier owes;
    /// returns where to send the browser.
    pub async fn start_gateway_payment(&self, user: &CurrentUser, id: &str) -> Result<String> {
        let d = self.visible_dossier(user, id).await?;
        if relation(user, &d) != Relation::Owner {
            return Err(AppError::Forbidden(
                "Chỉ người nộp hồ sơ thanh toán hồ sơ của mình.".into(),
            ));
        }
        let (Some(gateway), Some(base)) = (&self.payments.gateway, &self.payments.public_url)
        else {
            return Err(AppError::Unavailable(
                "Cổng thanh toán chưa được kết nối. Bạn có thể chuyển khoản bằng mã VietQR.".into(),
            ));
        };
        let give_up_at = now_micros() + WAIT_FOR_OPENING.as_micros() as i64;
        loop {
            let fee = self.fees(user, id).await?;
            if !fee.payable {
                return Err(AppError::invalid(
                    "Hồ sơ này không còn khoản phí nào cần nộp.",
                ));
            }
            let now = now_micros();
            let open = self
                .db
                .payments_of_dossier(&d.id)
                .await?
                .into_iter()
                .find(|p| {
                    p.method == "gateway" && matches!(p.status.as_str(), "opening" | "pending")
                });
            match open {
                Some(p) if p.status == "pending" => {
                    let fresh = p.created_at > now - SESSION_REUSED_FOR.as_micros() as i64;
                    match &p.redirect_url {
                        Some(url) if fresh && p.amount_vnd == to_i64(fee.outstanding_vnd) => {
                            return Ok(url.clone());
                        }
                        _ => {
                            self.db.abandon_payment(&p.id, now).await?;
                            continue;
                        }
                    }
                }
                Some(p) => {
                    if p.created_at < now - OPENING_STALE_AFTER.as_micros() as i64 {
                        self.db.drop_reservation(&p.id).await?;
                    } else if now > give_up_at {
                        return Err(AppError::RequestInProgress);
                    } else {
                        // Another request is asking the gateway for this dossier's session.
                        tokio::time::sleep(LOOK_EVERY).await;
                    }
                    continue;
                }
                None => {}
            }
            let reservation = PaymentRow {
                id: new_id(),
                dossier_id: d.id.clone(),
                method: "gateway".into(),
                amount_vnd: to_i64(fee.outstanding_vnd),
                session_id: None,
                status: "opening".into(),
                transaction_id: None,
                paid_vnd: None,
                paid_at: None,
                receipt_no: None,
                created_at: now,
                updated_at: now,
                redirect_url: None,
                refund_id: None,
                refunded_at: None,
            };
            if !self
                .db
                .reserve_gateway_payment(&self.tenant, &reservation)
                .await?
            {
                continue; // reserved a moment ago by another request: wait for its address
            }
            let name = self.procedure_of(&d).await?.name;
            let order = PaymentOrder {
                reference: d.code.clone().unwrap_or_default(),
                amount_vnd: fee.outstanding_vnd,
                description: format!("Phí, lệ phí: {name}").chars().take(255).collect(),
                return_url: format!("{base}/dossiers/{}/payment/return", d.id),
                callback_url: format!("{base}/api/v1/payments/callback"),
            };
            let session = match gateway.create_payment(&order).await {
                Ok(session) => session,
                Err(e) => {
                    tracing::warn!(error = %e, "payment gateway did not open a session");
                    self.db.drop_reservation(&reservation.id).await?;
                    return Err(AppError::Unavailable(
                        "Cổng thanh toán đang không trả lời. Hồ sơ của bạn vẫn được giữ nguyên; \
                         vui lòng thử lại sau ít phút hoặc chuyển khoản bằng mã VietQR."
                            .into(),
                    ));
                }
            };
            self.db
                .open_gateway_payment(
                    &reservation.id,
                    &session.session_id,
                    &session.redirect_url,
                    now_micros(),
                )
                .await?;
            return Ok(session.redirect_url);
        }
    }
}
