//! Money the gateway took that was not owed — a second session paid after the fee was paid,
//! an amount no longer owed — goes back the way it came. The notice's transaction marks the
//! payment `refunding` and queues the refund in the outbox; the outbox asks the gateway (with
//! the message's idempotency key as the refund's request id, so a retry never refunds twice),
//! then records the refund on the payment and in the dossier's history, and tells the applicant.

use motcua_domain::EventKind;
use motcua_integrations::IntegrationError;
use motcua_integrations::payment::Refund;
use motcua_store::{DossierRow, OutboxRow, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::dossiers::funnel::{Change, system_record};
use crate::{App, AppError, Result, new_id, now_micros};

/// The outbox channel of refunds.
pub(crate) const REFUND_CHANNEL: &str = "refund";
/// Tries of recording one refund that meets concurrent actions on its dossier.
const RECORD_TRIES: u32 = 5;

/// What a queued refund holds (sealed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefundOrder {
    pub payment_id: String,
    pub dossier_id: String,
    pub transaction_id: String,
    pub amount_vnd: u64,
}

impl App {
    /// Queues the refund of a payment not owed, inside the notice's transaction.
    pub(super) async fn queue_refund(&self, tx: &mut Tx, order: &RefundOrder) -> Result<()> {
        let payload =
            serde_json::to_string(order).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = now_micros();
        tx.enqueue(
            &self.tenant,
            &OutboxRow {
                id: new_id(),
                channel: REFUND_CHANNEL.into(),
                dossier_id: Some(order.dossier_id.clone()),
                idempotency_key: format!("{}:refund", order.payment_id),
                payload_sealed: self.vault.seal_text(&payload),
                attempts: 0,
                next_attempt_at: now,
                delivered_at: None,
                failed_at: None,
                last_error: None,
                created_at: now,
            },
        )
        .await?;
        Ok(())
    }

    /// The outbox's delivery of a refund: the gateway gives the money back, then it is
    /// recorded. A failure to record after the gateway's yes is retried like a failed send
    /// (the gateway answers the same request id with the same refund).
    pub(crate) async fn give_back(
        &self,
        request_id: &str,
        payload: &str,
    ) -> std::result::Result<(), IntegrationError> {
        let order: RefundOrder =
            serde_json::from_str(payload).map_err(|e| IntegrationError::Invalid(e.to_string()))?;
        let gateway =
            self.payments.gateway.as_ref().ok_or_else(|| {
                IntegrationError::Config("cổng thanh toán chưa được cấu hình".into())
            })?;
        let refund = gateway
            .refund(
                request_id,
                &order.transaction_id,
                order.amount_vnd,
                "Hoàn trả khoản phí nộp thừa",
            )
            .await?;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.record_refund(&order, &refund).await {
                Err(AppError::Conflict) if tries < RECORD_TRIES => continue,
                Err(e) => {
                    return Err(IntegrationError::Unavailable(format!(
                        "hoàn tiền {} đã thực hiện, chưa ghi nhận được: {}",
                        refund.refund_id,
                        crate::error::chain(&e)
                    )));
                }
                Ok(()) => return Ok(()),
            }
        }
    }

    async fn record_refund(&self, order: &RefundOrder, refund: &Refund) -> Result<()> {
        let d: DossierRow = self
            .db
            .dossier(&self.tenant, &order.dossier_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let before = self.before(&d, EventKind::FeeRefunded).await?;
        let now = now_micros();
        let mut tx = self.db.begin().await?;
        if !tx
            .refund_payment(&order.payment_id, &refund.refund_id, now)
            .await?
        {
            return Ok(()); // recorded by an earlier try
        }
        let data = json!({
            "payment_id": order.payment_id,
            "refund_id": refund.refund_id,
            "amount_vnd": refund.amount_vnd,
        });
        let event = system_record(&d, EventKind::FeeRefunded, now, data);
        let change = Change::plain(&d, EventKind::FeeRefunded, event);
        let (_, queued) = self.record(&mut tx, &change, &before).await?;
        tx.commit().await?;
        if queued {
            self.wake_notifier();
        }
        tracing::info!(refund = %refund.refund_id, "payment not owed refunded through the gateway");
        Ok(())
    }
}
