//! Text messages through an SMS gateway (brandname SMS): short notices about a dossier.

use std::time::Duration;

use motcua_domain::ident::normalize_mobile;
use serde::{Deserialize, Serialize};

use crate::{IntegrationError, http};

/// Longest text accepted: 9 Unicode segments of 67 characters. Vietnamese with diacritics is
/// sent as UCS-2, so every accented notice costs segments.
pub const TEXT_MAX_CHARS: usize = 603;

/// The body of `POST /sms/send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsRequest {
    pub to: String,
    pub text: String,
}

/// The gateway's answer: its id for the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsSent {
    pub id: String,
}

/// A client of the SMS gateway.
#[derive(Debug, Clone)]
pub struct SmsClient {
    http: reqwest::Client,
    base: String,
}

impl SmsClient {
    pub fn new(base_url: &str, timeout: Duration) -> Result<SmsClient, IntegrationError> {
        Ok(SmsClient {
            http: http::client(timeout)?,
            base: http::base_url(base_url)?,
        })
    }

    /// Sends `text` to a Vietnamese mobile number (any usual spelling: `+84…`, spaces, dots);
    /// answers the gateway's message id.
    pub async fn send(&self, phone: &str, text: &str) -> Result<String, IntegrationError> {
        http::may_call()?;
        let to = normalize_mobile(phone).map_err(|e| IntegrationError::Invalid(e.to_string()))?;
        let chars = text.chars().count();
        if chars == 0 || chars > TEXT_MAX_CHARS {
            return Err(IntegrationError::Invalid(format!(
                "tin nhắn phải có từ 1 đến {TEXT_MAX_CHARS} ký tự"
            )));
        }
        let resp = self
            .http
            .post(format!("{}/sms/send", self.base))
            .json(&SmsRequest {
                to,
                text: text.to_string(),
            })
            .send()
            .await?;
        let sent: SmsSent = http::read_json(resp).await?;
        Ok(sent.id)
    }
}

/// How many segments a text costs: GSM-7 (plain ASCII here) 160, or 153 each when split;
/// UCS-2 70, or 67 each.
pub fn segments(text: &str) -> usize {
    let chars = text.chars().count();
    let (single, part) = if text.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    if chars <= single {
        1
    } else {
        chars.div_ceil(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_segments() {
        assert_eq!(segments("Ho so da duoc tiep nhan"), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments("Hồ sơ đã được tiếp nhận"), 1);
        assert_eq!(segments(&"ồ".repeat(71)), 2);
        assert_eq!(segments(&"ồ".repeat(TEXT_MAX_CHARS)), 9);
    }
}
