//! The gateway's (or bank's) signed notice that a payment succeeded or failed.
//!
//! The body is JSON; `X-Motcua-Signature` carries `hex(HMAC-SHA256(secret, raw body))`. A
//! callback may come twice or late: the receiver keys on `transaction_id` and stays idempotent.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// The header that carries the signature of a callback or a merchant request.
pub const SIGNATURE_HEADER: &str = "X-Motcua-Signature";

/// How a payment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Paid,
    Failed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
        }
    }
}

/// The notice POSTed to the merchant's callback URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub merchant_id: String,
    /// The gateway session; `None` for a bank transfer by VietQR, which has none.
    pub session_id: Option<String>,
    /// The dossier code (for a transfer, what the payer's bank kept of 62.08).
    pub reference: String,
    pub amount_vnd: u64,
    pub status: PaymentStatus,
    /// Unique per payment, the same in a repeated notice: the idempotency key.
    pub transaction_id: String,
    /// RFC 3339.
    pub paid_at: jiff::Timestamp,
}

/// Why a callback was refused; the receiver answers 401 or 400 with this text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CallbackError {
    #[error("Thiếu chữ ký (X-Motcua-Signature).")]
    MissingSignature,
    #[error("Chữ ký không đúng.")]
    BadSignature,
    #[error("Nội dung thông báo không đúng định dạng: {0}")]
    BadJson(String),
}

/// `hex(HMAC-SHA256(secret, body))`, lower case.
pub fn sign(secret: impl AsRef<[u8]>, body: &[u8]) -> String {
    let mut mac = mac(secret.as_ref());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a signature header against the body, in constant time.
pub fn verify_signature(
    secret: impl AsRef<[u8]>,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<(), CallbackError> {
    let header = signature_header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(CallbackError::MissingSignature)?;
    let given = hex::decode(header).map_err(|_| CallbackError::BadSignature)?;
    let mut mac = mac(secret.as_ref());
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| CallbackError::BadSignature)
}

/// Checks the signature, then reads the callback. Check before parsing: an unsigned body is
/// never interpreted.
pub fn verify_callback(
    secret: impl AsRef<[u8]>,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<Callback, CallbackError> {
    verify_signature(secret, body, signature_header)?;
    serde_json::from_slice(body).map_err(|e| CallbackError::BadJson(e.to_string()))
}

fn mac(secret: &[u8]) -> HmacSha256 {
    match <HmacSha256 as Mac>::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC hashes long keys and pads short ones: every length is accepted.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback() -> Callback {
        Callback {
            merchant_id: "MOTCUA".into(),
            session_id: Some("PS1".into()),
            reference: "000.00.13.H56-260101-0001".into(),
            amount_vnd: 50_000,
            status: PaymentStatus::Paid,
            transaction_id: "FT1".into(),
            paid_at: "2026-01-01T03:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn rfc4231_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn accepts_signed_refuses_tampered() {
        let body = serde_json::to_vec(&callback()).unwrap();
        let sig = sign("s3cret", &body);
        assert_eq!(verify_callback("s3cret", &body, Some(&sig)), Ok(callback()));
        assert_eq!(
            verify_callback("s3cret", &body, Some(&sig.to_uppercase())),
            Ok(callback())
        );
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace("50000", "5000");
        assert_eq!(
            verify_callback("s3cret", tampered.as_bytes(), Some(&sig)),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            verify_callback("other", &body, Some(&sig)),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            verify_callback("s3cret", &body, None),
            Err(CallbackError::MissingSignature)
        );
        assert_eq!(
            verify_callback("s3cret", &body, Some("zz")),
            Err(CallbackError::BadSignature)
        );
        let junk = b"not json";
        assert!(matches!(
            verify_callback("s3cret", junk, Some(&sign("s3cret", junk))),
            Err(CallbackError::BadJson(_))
        ));
    }

    #[test]
    fn wire_format() {
        let json = serde_json::to_value(callback()).unwrap();
        assert_eq!(json["status"], "paid");
        assert_eq!(json["paid_at"], "2026-01-01T03:00:00Z");
    }
}
