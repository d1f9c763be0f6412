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
    /// `pending`, `paid`, `failed` or `unmatched`.
    pub status: String,
    pub transaction_id: Option<String>,
    pub paid_vnd: Option<i64>,
    pub paid_at: Option<i64>,
    pub receipt_no: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
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
     paid_vnd, paid_at, receipt_no, created_at, updated_at";

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
            .fetch_optional(self.writer()?)
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

    /// Gateway sessions still pending that were opened before `before`: their callback may
    /// have been lost, so the gateway is asked.
    pub async fn pending_gateway_payments(
        &self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<PaymentRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM payments WHERE status = 'pending' AND method = 'gateway' \
             AND created_at < $1 ORDER BY created_at LIMIT $2"
        ))
        .bind(before)
        .bind(limit)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(payment).collect()
    }

    pub async fn insert_payment(&self, tenant: &str, p: &PaymentRow) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.insert_payment(tenant, p).await?;
        tx.commit().await
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
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Settles a pending payment; `false` when it was no longer pending (another notice got
    /// there first), and then nothing is written.
    pub async fn settle_payment(&mut self, id: &str, s: &Settlement<'_>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET status = $1, transaction_id = $2, paid_vnd = $3, paid_at = $4, \
             receipt_no = $5, updated_at = $6 WHERE id = $7 AND status = 'pending'",
        )
        .bind(s.status)
        .bind(s.transaction_id)
        .bind(s.paid_vnd)
        .bind(s.paid_at)
        .bind(s.receipt_no)
        .bind(s.now)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
