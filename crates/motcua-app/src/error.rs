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

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => AppError::Conflict,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Store(inner) => AppError::Internal(inner.to_string()),
            FileError::Damaged => {
                AppError::Internal("stored file failed its integrity check".into())
            }
            other => AppError::File(other),
        }
    }
}
