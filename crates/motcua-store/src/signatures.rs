//! Agencies' signing keys and the signatures on results.

use sqlx::any::AnyRow;

use crate::{Db, Result, Tx, col};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyKeyRow {
    pub id: String,
    pub agency_id: String,
    pub public_key: String,
    pub secret_sealed: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultSignatureRow {
    pub id: String,
    pub dossier_id: String,
    pub attachment_id: String,
    pub key_id: String,
    pub sha256: String,
    pub signed_at: i64,
    pub signature: String,
}

/// A signature with the public key that made it, and its revocation if a correction replaced
/// the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedResult {
    pub signature: ResultSignatureRow,
    pub public_key: String,
    pub agency_id: String,
    pub revoked_at: Option<i64>,
    /// The seq of the correction event (in the dossier's history) that revoked it.
    pub revoked_by_event: Option<i64>,
}

fn key(r: &AnyRow) -> Result<AgencyKeyRow> {
    Ok(AgencyKeyRow {
        id: col(r, "id")?,
        agency_id: col(r, "agency_id")?,
        public_key: col(r, "public_key")?,
        secret_sealed: col(r, "secret_sealed")?,
        created_at: col(r, "created_at")?,
        retired_at: col(r, "retired_at")?,
    })
}

impl Db {
    /// The agency's key in force (the newest not retired).
    pub async fn current_agency_key(&self, agency_id: &str) -> Result<Option<AgencyKeyRow>> {
        let row = sqlx::query(
            "SELECT id, agency_id, public_key, secret_sealed, created_at, retired_at FROM agency_keys \
             WHERE agency_id = $1 AND retired_at IS NULL ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(agency_id)
        .fetch_optional(self.fresh_reader()?)
        .await?;
        row.as_ref().map(key).transpose()
    }

    /// Every key the agency ever had, newest first.
    pub async fn agency_keys(&self, agency_id: &str) -> Result<Vec<AgencyKeyRow>> {
        let rows = sqlx::query(
            "SELECT id, agency_id, public_key, secret_sealed, created_at, retired_at FROM agency_keys \
             WHERE agency_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(agency_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter().map(key).collect()
    }

    /// Retires the agency's current keys and puts `new` in force, together.
    pub async fn rotate_agency_key(&self, tenant: &str, new: &AgencyKeyRow) -> Result<()> {
        let mut tx = self.begin_aside().await?;
        sqlx::query(
            "UPDATE agency_keys SET retired_at = $1 WHERE agency_id = $2 AND retired_at IS NULL",
        )
        .bind(new.created_at)
        .bind(&new.agency_id)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO agency_keys (id, tenant_id, agency_id, public_key, secret_sealed, created_at, \
             retired_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&new.id)
        .bind(tenant)
        .bind(&new.agency_id)
        .bind(&new.public_key)
        .bind(&new.secret_sealed)
        .bind(new.created_at)
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// A dossier's signed results with their keys, oldest first.
    pub async fn signed_results(&self, dossier_id: &str) -> Result<Vec<SignedResult>> {
        let rows = sqlx::query(
            "SELECT s.id, s.dossier_id, s.attachment_id, s.key_id, s.sha256, s.signed_at, s.signature, \
             s.revoked_at, s.revoked_by_event, k.public_key, k.agency_id FROM result_signatures s JOIN agency_keys k ON k.id = s.key_id \
             WHERE s.dossier_id = $1 ORDER BY s.signed_at, s.id",
        )
        .bind(dossier_id)
        .fetch_all(self.reader()?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SignedResult {
                    signature: ResultSignatureRow {
                        id: col(r, "id")?,
                        dossier_id: col(r, "dossier_id")?,
                        attachment_id: col(r, "attachment_id")?,
                        key_id: col(r, "key_id")?,
                        sha256: col(r, "sha256")?,
                        signed_at: col(r, "signed_at")?,
                        signature: col(r, "signature")?,
                    },
                    public_key: col(r, "public_key")?,
                    agency_id: col(r, "agency_id")?,
                    revoked_at: col(r, "revoked_at")?,
                    revoked_by_event: col(r, "revoked_by_event")?,
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn insert_result_signature(
        &mut self,
        tenant: &str,
        s: &ResultSignatureRow,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO result_signatures (id, tenant_id, dossier_id, attachment_id, key_id, sha256, \
             signed_at, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(tenant)
        .bind(&s.dossier_id)
        .bind(&s.attachment_id)
        .bind(&s.key_id)
        .bind(&s.sha256)
        .bind(s.signed_at)
        .bind(&s.signature)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Revokes every signature of the dossier still in force, naming the correction event that
    /// replaces them; returns how many were revoked.
    pub async fn revoke_result_signatures(
        &mut self,
        dossier_id: &str,
        at: i64,
        event_seq: i64,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE result_signatures SET revoked_at = $1, revoked_by_event = $2 \
             WHERE dossier_id = $3 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(event_seq)
        .bind(dossier_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }
}
