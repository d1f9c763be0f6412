//! What the simulators record and list back (for tests and for an audit of a demo run).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::payment::{PaymentOrder, SessionStatus};
use crate::registry::CorrectionRequest;

/// One look-up the registry served (`GET /registry/lookups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    pub personal_id: String,
    pub purpose: String,
    pub found: bool,
    pub at: Timestamp,
}

/// A correction request as the registry filed it (`GET /registry/corrections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub ticket: String,
    #[serde(flatten)]
    pub request: CorrectionRequest,
    pub at: Timestamp,
}

/// A gateway payment session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub merchant_id: String,
    pub order: PaymentOrder,
    pub status: SessionStatus,
    pub transaction_id: Option<String>,
    pub paid_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// What became of one attempt to send a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Held back by a drop fault; a late copy follows.
    Dropped,
    /// The receiver answered 2xx.
    Delivered,
    /// The receiver answered otherwise or could not be reached.
    Failed,
}

/// One attempt to send a callback (`GET /gateway/callbacks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackRecord {
    pub seq: u64,
    pub transaction_id: String,
    pub reference: String,
    pub session_id: Option<String>,
    pub url: String,
    /// 1, or 2 for the second copy of a duplicated callback.
    pub copy: u8,
    /// 1 for the first try; retries after a failure count up.
    pub attempt: u32,
    /// Sent after a drop fault held the first one back.
    pub late: bool,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at: Timestamp,
}

/// A text message the SMS gateway took (`GET /sms/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    pub id: String,
    pub to: String,
    pub text: String,
    pub segments: usize,
    pub at: Timestamp,
}

/// A mail the SMTP sink took, decoded (`GET /mail/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    pub id: String,
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub at: Timestamp,
}
