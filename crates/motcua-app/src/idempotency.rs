//! Requests that carry an idempotency key (`Idempotency-Key` on the API, a one-time token in
//! a page's form): the first answer is kept, sealed (it may name the applicant), and a retry
//! with the same key and the same request gets it again without writing anything; the same key
//! with another request is refused. See `motcua_store::Claim` for how the key is claimed in
//! the transaction of the request's effect.

use std::sync::Arc;
use std::time::Duration;

use motcua_store::{Claim, IdempotencyRow};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result, now_micros};

/// A request claimed and neither answered nor ended within this time died with its node.
const IN_FLIGHT: Duration = Duration::from_secs(60);
/// A node not seen alive for this long is gone: what it claimed is not waited for.
pub(crate) const NODE_GONE_AFTER: Duration = Duration::from_secs(10);
/// Keys are kept this long (a client retries within minutes, a browser within the session).
pub(crate) const KEPT: Duration = Duration::from_secs(24 * 3600);

/// The first answer to a keyed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptAnswer {
    pub status: u16,
    /// The headers worth giving again (content type, location).
    pub headers: Vec<(String, String)>,
    #[serde(with = "base64_bytes")]
    pub body: Vec<u8>,
}

/// What to do with a keyed request.
#[derive(Debug)]
pub enum KeyedRequest {
    /// Run it: a new key, or an earlier attempt that wrote part of it and may be resumed.
    Run(Arc<Claim>),
    /// Answered before: answer the same.
    Answered(KeptAnswer),
}

impl App {
    /// How to handle a request with `key` from `owner` whose method, path and body hash to
    /// `request_hash`.
    pub async fn keyed_request(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<KeyedRequest> {
        let now = now_micros();
        let Some(row) = self.db.request_key(&self.tenant, owner, key).await? else {
            return Ok(KeyedRequest::Run(Claim::new(
                &self.tenant,
                owner,
                key,
                request_hash,
                &self.node_id,
                now,
            )));
        };
        if row.request_hash != request_hash {
            return Err(AppError::invalid(
                "Khóa chống gửi trùng (Idempotency-Key) này đã được dùng cho một yêu cầu khác. \
                 Hãy dùng khóa mới cho yêu cầu mới.",
            ));
        }
        if row.state == "done" {
            return Ok(KeyedRequest::Answered(self.kept_answer(&row)?));
        }
        if !self.claim_ended(&row, now).await? {
            return Err(AppError::RequestInProgress);
        }
        // An earlier attempt wrote and never answered: resumed where it noted, else done.
        match row.resource {
            Some(_) => Ok(KeyedRequest::Run(Claim::resumed(&row, &self.node_id))),
            None => Err(AppError::AlreadyApplied),
        }
    }

    /// Whether the attempt that claimed `row` is over: it said so, or it was this node's
    /// (requests with one key take turns here, so it finished), or its node is gone, or it
    /// has run longer than any request does.
    async fn claim_ended(&self, row: &IdempotencyRow, now: i64) -> Result<bool> {
        if row.ended_at.is_some() || row.created_at < now - IN_FLIGHT.as_micros() as i64 {
            return Ok(true);
        }
        let Some(node) = &row.node_id else {
            return Ok(false);
        };
        if **node == *self.node_id {
            return Ok(true);
        }
        let seen = self.db.node_seen_at(node).await?;
        Ok(seen.is_none_or(|at| at < now - NODE_GONE_AFTER.as_micros() as i64))
    }

    fn kept_answer(&self, row: &IdempotencyRow) -> Result<KeptAnswer> {
        let sealed = row
            .response_sealed
            .as_deref()
            .ok_or_else(|| AppError::Internal("kept answer missing".into()))?;
        serde_json::from_str(&self.open_text(sealed)?)
            .map_err(|e| AppError::Internal(format!("kept answer: {e}")))
    }

    /// Keeps the answer of a keyed request (not a server error: a retry runs again).
    pub async fn keep_answer(&self, claim: &Claim, answer: &KeptAnswer) -> Result<()> {
        let json = serde_json::to_string(answer).map_err(|e| AppError::Internal(e.to_string()))?;
        self.db
            .finish_request(
                claim,
                answer.status,
                &self.vault.seal_text(&json),
                now_micros(),
            )
            .await?;
        Ok(())
    }

    /// A keyed request failed after its first commit: a retry may come at once.
    pub async fn request_ended_without_answer(&self, claim: &Claim) -> Result<()> {
        Ok(self.db.interrupt_request(claim, now_micros()).await?)
    }
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}
