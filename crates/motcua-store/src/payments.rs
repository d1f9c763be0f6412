//! Online payments of a dossier's fees and their reconciliation.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub dossier_id: String,
    /// `gateway` or `vietqr`.
    pub method: String,
    pub amount_vnd: i64,
    pub session_id: Option<String>,
    /// `opening` (reserved, the gateway being asked), `pending`, `abandoned` (an open session
    /// replaced by a newer one), `paid`, `failed`, `unmatched` (a transfer not owed: the agency
    /// settles it), `refunding` or `refunded` (paid at the gateway but not owed).
    pub status: String,
    pub transaction_id: Option<String>,
    pub paid_vnd: Option<i64>,
    pub paid_at: Option<i64>,
    pub receipt_no: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Where the payer's browser goes to pay this session.
    pub redirect_url: Option<String>,
    pub refund_id: Option<String>,
    pub refunded_at: Option<i64>,
}

/// How a payment ended, to write onto its row.
#[derive(Debug, Clone)]
pub struct Settlement<'a> {
    pub status: &'a str,
    pub transaction_id: &'a str,
    pub paid_vnd: i64,
    pub paid_at: i64,
    pub receipt_no: Option<&'a str>,
    pub now: i64,
}

const COLUMNS: &str = "id, dossier_id, method, amount_vnd, session_id, status, transaction_id, \
     paid_vnd, paid_at, receipt_no, created_at, updated_at, redirect_url, refund_id, refunded_at";

fn payment(r: &AnyRow) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: col(r, "id")?,
        dossier_id: col(r, "dossier_id")?,
        method: col(r, "method")?,
        amount_vnd: col(r, "amount_vnd")?,
        session_id: col(r, "session_id")?,
        status: col(r, "status")?,
        transaction_id: col(r, "transaction_id")?,
        paid_vnd: col(r, "paid_vnd")?,
        paid_at: col(r, "paid_at")?,
        receipt_no: col(r, "receipt_no")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        redirect_url: col(r, "redirect_url")?,
        refund_id: col(r, "refund_id")?,
        refunded_at: col(r, "refunded_at")?,
    })
}

impl Db {
    /// A dossier's payments, oldest first.
    pub async fn payments_of_dossier(&self, dossier_id: &str) -> Result<Vec<PaymentRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE dossier_id = $1 ORDER BY created_at, id"
        ))
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(payment).collect()
    }

    /// One payment by the column `by` (`id`, `session_id` or `transaction_id`), read through
    /// the writer so that a callback sees what the previous one just wrote.
    async fn payment_where(&self, by: &'static str, value: &str) -> Result<Option<PaymentRow>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE {by} = $1"))
            .bind(value)
            .fetch_optional(self.fresh_reader()?)
            .await?;
        row.as_ref().map(payment).transpose()
    }

    pub async fn payment(&self, id: &str) -> Result<Option<PaymentRow>> {
        self.payment_where("id", id).await
    }

    pub async fn payment_by_session(&self, session_id: &str) -> Result<Option<PaymentRow>> {
        self.payment_where("session_id", session_id).await
    }

    pub async fn payment_by_transaction(&self, transaction_id: &str) -> Result<Option<PaymentRow>> {
        self.payment_where("transaction_id", transaction_id).await
    }

    /// Gateway sessions still open (or abandoned but perhaps paid) that were opened before
    /// `before`: their callback may have been lost, so the gateway is asked.
    pub async fn pending_gateway_payments(
        &self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<PaymentRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE status IN ('pending', 'abandoned') \
             AND method = 'gateway' AND created_at < $1 ORDER BY created_at LIMIT $2"
        ))
        .bind(before)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(payment).collect()
    }

    /// Reserves the dossier's one open gateway session (`p` is `opening`); `false` when
    /// another one is open or being opened, and nothing is written.
    pub async fn reserve_gateway_payment(&self, tenant: &str, p: &PaymentRow) -> Result<bool> {
        // Aside: asking again is safe (the open session is given again), so a retry of a
        // request cut short here runs again rather than being told it was done.
        let mut tx = self.begin_aside().await?;
        let done = sqlx::query(
            "INSERT INTO payments (id, tenant_id, dossier_id, method, amount_vnd, session_id, \
             status, transaction_id, paid_vnd, paid_at, receipt_no, created_at, updated_at) \
             VALUES ($1, $2, $3, 'gateway', $4, NULL, 'opening', NULL, NULL, NULL, NULL, $5, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&p.id)
        .bind(tenant)
        .bind(&p.dossier_id)
        .bind(p.amount_vnd)
        .bind(p.created_at)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The reserved session is open at the gateway: `session_id`, paid at `redirect_url`.
    pub async fn open_gateway_payment(
        &self,
        id: &str,
        session_id: &str,
        redirect_url: &str,
        now: i64,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "UPDATE payments SET status = 'pending', session_id = $1, redirect_url = $2, \
             updated_at = $3 WHERE id = $4 AND status = 'opening'",
            )
            .bind(session_id)
            .bind(redirect_url)
            .bind(now)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Gives up a reservation whose session was never opened (the gateway failed, or the node
    /// died while asking).
    pub async fn drop_reservation(&self, id: &str) -> Result<()> {
        self.write_one(
            sqlx::query("DELETE FROM payments WHERE id = $1 AND status = 'opening'").bind(id),
        )
        .await?;
        Ok(())
    }

    /// Sets an open session aside for a new one (too old, or for another amount); it is still
    /// settled if the payer pays it after all. `false` when it was no longer open.
    pub async fn abandon_payment(&self, id: &str, now: i64) -> Result<bool> {
        let done = self
            .write_one(
                sqlx::query(
                    "UPDATE payments SET status = 'abandoned', updated_at = $1 \
             WHERE id = $2 AND status = 'pending'",
                )
                .bind(now)
                .bind(id),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Tx {
    pub async fn insert_payment(&mut self, tenant: &str, p: &PaymentRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO payments (id, tenant_id, dossier_id, method, amount_vnd, session_id, status, \
             transaction_id, paid_vnd, paid_at, receipt_no, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&p.id)
        .bind(tenant)
        .bind(&p.dossier_id)
        .bind(&p.method)
        .bind(p.amount_vnd)
        .bind(&p.session_id)
        .bind(&p.status)
        .bind(&p.transaction_id)
        .bind(p.paid_vnd)
        .bind(p.paid_at)
        .bind(&p.receipt_no)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Settles an open (or abandoned) session; `false` when it was settled already (another
    /// notice got there first), and then nothing is written.
    pub async fn settle_payment(&mut self, id: &str, s: &Settlement<'_>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET status = $1, transaction_id = $2, paid_vnd = $3, paid_at = $4, \
             receipt_no = $5, updated_at = $6 WHERE id = $7 AND status IN ('pending', 'abandoned')",
        )
        .bind(s.status)
        .bind(s.transaction_id)
        .bind(s.paid_vnd)
        .bind(s.paid_at)
        .bind(s.receipt_no)
        .bind(s.now)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The money of a payment not owed went back through the gateway.
    pub async fn refund_payment(&mut self, id: &str, refund_id: &str, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET status = 'refunded', refund_id = $1, refunded_at = $2, \
             updated_at = $2 WHERE id = $3 AND status = 'refunding'",
        )
        .bind(refund_id)
        .bind(at)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
