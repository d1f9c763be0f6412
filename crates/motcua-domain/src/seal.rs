//! What an agency signs when it returns a result, and what a check of a result may find.

use jiff::Timestamp;

/// The signed text: the result file's SHA-256 bound to its dossier, its agency and the instant,
/// so a valid signature cannot be moved to another dossier or date.
pub fn message(
    dossier_code: &str,
    agency_code: &str,
    sha256_hex: &str,
    signed_at: Timestamp,
) -> String {
    format!("motcua-result-v1\n{dossier_code}\n{agency_code}\n{sha256_hex}\n{signed_at}")
}

/// What a check of a result finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultCheck {
    /// Signed by the agency and unchanged.
    Valid,
    /// The record of the signature does not verify: it was changed after signing.
    Altered,
    /// The file is not the signed result of this dossier (changed, or another file).
    NotThisResult,
    /// Signed by the agency, then revoked by a leader's recorded correction: the corrected
    /// result replaces it.
    Revoked,
}

impl ResultCheck {
    /// Of several signatures of the same file, the one a check reports: a valid one first.
    pub fn precedence(self) -> u8 {
        match self {
            ResultCheck::Valid => 0,
            ResultCheck::Revoked => 1,
            ResultCheck::Altered => 2,
            ResultCheck::NotThisResult => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ResultCheck::Valid => "Hợp lệ: đúng kết quả do cơ quan ký, chưa bị thay đổi",
            ResultCheck::Altered => "Không hợp lệ: chữ ký không khớp, dữ liệu đã bị thay đổi",
            ResultCheck::NotThisResult => {
                "Không khớp: tệp này không phải kết quả đã ký của hồ sơ (có thể đã bị sửa)"
            }
            ResultCheck::Revoked => "Đã bị thu hồi, thay bằng bản đính chính",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_binds_code_agency_hash_and_time() {
        let at: Timestamp = "2026-12-03T02:00:00Z".parse().unwrap();
        let m = message("000.01.01.H19-261203-0001", "000.01.01.H19", "ab", at);
        assert_eq!(
            m,
            "motcua-result-v1\n000.01.01.H19-261203-0001\n000.01.01.H19\nab\n2026-12-03T02:00:00Z"
        );
        assert_ne!(
            m,
            message("000.01.01.H19-261203-0002", "000.01.01.H19", "ab", at)
        );
    }
}
