//! What can go wrong in a use case, in terms the web layer maps to HTTP in one place.

use std::collections::BTreeMap;

use motcua_domain::TransitionError;
use motcua_files::FileError;
use motcua_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// Not signed in, or the session expired.
    #[error("Vui lòng đăng nhập.")]
    Unauthenticated,
    #[error("Tên đăng nhập hoặc mật khẩu không đúng.")]
    BadCredentials,
    /// Signed in, but this role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Not there, or not yours to see (the two are not told apart).
    #[error("Không tìm thấy.")]
    NotFound,
    /// The input is wrong; `fields` holds a message per form field.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// A query parameter (a search filter) is not one of the values allowed; HTTP 400.
    #[error("{message}")]
    BadQuery {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    File(FileError),
    /// The dossier's internal process does not allow this now.
    #[error("{0}")]
    Step(String),
    #[error("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thử lại.")]
    Conflict,
    /// An outside system (payment gateway, registry) cannot be reached now; nothing was lost.
    #[error("{0}")]
    Unavailable(String),
    /// A notice from an outside system is not signed with the shared secret.
    #[error("{0}")]
    BadSignature(String),
    #[error("Lỗi hệ thống, vui lòng thử lại sau.")]
    Internal(String),
    /// Our own storage failed (a database statement, the file store); the cause is kept for
    /// the log and never shown.
    #[error("Lỗi hệ thống, vui lòng thử lại sau.")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The same request (same idempotency key) is being handled now: 409, try again shortly.
    #[error("Yêu cầu này đang được xử lý. Vui lòng đợi giây lát rồi tải lại trang hoặc thử lại.")]
    RequestInProgress,
    /// An earlier attempt of this request (same idempotency key) was carried out, but its
    /// answer was lost with the server: 409; nothing is written twice.
    #[error(
        "Yêu cầu này đã được thực hiện trước đó (kết quả chưa kịp gửi về). Vui lòng tải lại để xem tình trạng hiện tại."
    )]
    AlreadyApplied,
    /// Every database connection stayed busy for the whole wait: answered 503 with
    /// `Retry-After`; nothing was written.
    #[error(
        "Hệ thống đang có nhiều người dùng cùng lúc. Vui lòng thử lại sau vài giây; những gì bạn đã gửi trước đó vẫn được giữ nguyên."
    )]
    Busy,
    /// The database cannot be reached now: answered 503 with `Retry-After`; nothing was written.
    #[error(
        "Hệ thống tạm thời gián đoạn. Vui lòng thử lại sau ít phút; những gì bạn đã gửi trước đó vẫn được giữ nguyên."
    )]
    StorageDown(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid {
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// Wrong input in one form field: the message is shown at the top and next to the field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            fields: BTreeMap::from([(field.to_string(), message.clone())]),
            message,
        }
    }
}

impl AppError {
    /// A failure of ours whose cause must reach the log.
    pub fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Storage(Box::new(e))
    }

    /// How long a client should wait before trying again, for the answers that say so.
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            AppError::Busy | AppError::RequestInProgress => Some(1),
            AppError::StorageDown(_) => Some(5),
            AppError::Unavailable(_) => Some(30),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => AppError::Conflict,
            StoreError::Busy => AppError::Busy,
            StoreError::Unavailable(_) => AppError::StorageDown(Box::new(e)),
            other => AppError::storage(other),
        }
    }
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        match e {
            // The store does not take or give files now (disk, bucket, network): try again.
            e @ FileError::Store(_) => AppError::StorageDown(Box::new(e)),
            e @ (FileError::Damaged | FileError::Missing) => AppError::storage(e),
            other => AppError::File(other),
        }
    }
}

/// An error with its causes, `outer: inner: innermost`, for the log (the texts of our errors
/// and of the database's never carry personal data).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_gets_every_cause_and_people_get_none() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = AppError::StorageDown(Box::new(refused));
        assert_eq!(chain(&e), format!("{e}: refused"));
        assert!(!e.to_string().contains("refused"), "the cause is not shown");
        assert_eq!(e.retry_after_secs(), Some(5));
        assert_eq!(AppError::from(StoreError::Busy).retry_after_secs(), Some(1));
        assert!(matches!(
            AppError::from(StoreError::Conflict),
            AppError::Conflict
        ));
    }
}
