//! The one error of the outbound clients. Messages never carry the URL (a registry URL holds a
//! personal ID) nor what a remote server echoed beyond a short, trimmed message.

use thiserror::Error;

/// Why a call to an outside system failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IntegrationError {
    #[error("Hệ thống bên ngoài không trả lời trong thời gian chờ.")]
    Timeout,
    #[error("Không kết nối được hệ thống bên ngoài ({0}).")]
    Unavailable(String),
    #[error("Hệ thống bên ngoài từ chối yêu cầu (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("Máy chủ thư từ chối thư (SMTP {0}).")]
    MailRejected(u16),
    #[error("Hệ thống bên ngoài trả lời không đúng định dạng ({0}).")]
    BadResponse(String),
    #[error("Cấu hình kết nối không hợp lệ: {0}")]
    Config(String),
    #[error("Dữ liệu gửi đi không hợp lệ: {0}")]
    Invalid(String),
    /// The host refused the call (it was made while a database transaction was open).
    #[error("Không gọi hệ thống bên ngoài khi đang ghi dữ liệu.")]
    Refused,
}

impl IntegrationError {
    /// Whether trying again later may succeed (the outbox worker retries these with backoff).
    pub fn is_retryable(&self) -> bool {
        match self {
            IntegrationError::Timeout | IntegrationError::Unavailable(_) => true,
            IntegrationError::Rejected { status, .. } => *status == 429 || *status >= 500,
            IntegrationError::MailRejected(_)
            | IntegrationError::BadResponse(_)
            | IntegrationError::Config(_)
            | IntegrationError::Invalid(_)
            | IntegrationError::Refused => false,
        }
    }
}

impl From<reqwest::Error> for IntegrationError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return IntegrationError::Timeout;
        }
        let decode = e.is_decode();
        let e = e.without_url();
        // reqwest's own text is terse ("error sending request"); the causes say why.
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        if decode {
            IntegrationError::BadResponse(text)
        } else {
            IntegrationError::Unavailable(text)
        }
    }
}
