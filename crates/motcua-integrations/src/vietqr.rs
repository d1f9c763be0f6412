//! NAPAS VietQR payloads (EMVCo merchant-presented mode): what a citizen's banking app scans to
//! pay a fee by transfer. The dossier code travels in 62.08 (purpose of transaction), so the
//! bank's notice can be matched to the dossier.
//!
//! Building is strict (what we print must scan in every banking app); parsing is liberal about
//! tags it does not use but checks the CRC and the fields it reads.

mod crc;
mod parse;

pub use crc::crc16_ccitt_false;
pub use parse::{ParsedVietQr, parse};

use thiserror::Error;

/// The NAPAS application identifier in tag 38.00.
pub const NAPAS_GUID: &str = "A000000727";
/// Service code of a transfer to an account number.
pub const SERVICE_TO_ACCOUNT: &str = "QRIBFTTA";
/// Service code of a transfer to a card number.
pub const SERVICE_TO_CARD: &str = "QRIBFTTC";

/// EMVCo caps the additional-data sub-fields (62.xx) and the merchant name (59) at 25.
const SHORT_FIELD_MAX: usize = 25;
/// NAPAS account numbers have at most 19 characters.
const ACCOUNT_MAX: usize = 19;
/// EMVCo caps the amount (54) at 13 characters.
const AMOUNT_MAX_DIGITS: usize = 13;

/// Why a VietQR payload could not be built or read; the text may be shown to an officer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VietQrError {
    #[error("Mã BIN ngân hàng phải gồm đúng 6 chữ số.")]
    BankBin,
    #[error("Số tài khoản chỉ gồm chữ số hoặc chữ cái không dấu, từ 1 đến 19 ký tự.")]
    Account,
    #[error("Số tiền phải lớn hơn 0 và có tối đa 13 chữ số.")]
    Amount,
    #[error(
        "Nội dung chuyển khoản phải từ 1 đến 25 ký tự không dấu (chữ, số, dấu cách, dấu chấm, gạch ngang)."
    )]
    Reference,
    #[error("Số hóa đơn phải từ 1 đến 25 ký tự không dấu.")]
    BillNumber,
    #[error("Tên đơn vị thụ hưởng phải từ 1 đến 25 ký tự không dấu.")]
    MerchantName,
    #[error("Trường {0} dài quá 99 ký tự.")]
    TooLong(String),
    #[error("Mã VietQR không đúng định dạng: {0}.")]
    Malformed(String),
    #[error("Mã kiểm tra (CRC) của mã VietQR không khớp: mã bị sai hoặc bị cắt.")]
    Crc,
    #[error("Đây không phải mã VietQR của NAPAS.")]
    NotVietQr,
    #[error("Chỉ nhận mã VietQR bằng đồng Việt Nam (mã tiền tệ 704).")]
    Currency,
}

/// A dynamic VietQR for one payment to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VietQr {
    /// The beneficiary bank's 6-digit NAPAS BIN (e.g. 970403).
    pub bank_bin: String,
    pub account: String,
    pub amount_vnd: u64,
    /// The dossier code, carried in 62.08 so the transfer can be matched.
    pub reference: String,
    /// 62.01, when the agency numbers its bills.
    pub bill_number: Option<String>,
    /// Tag 59; most VietQR codes omit it (the app shows the account holder's name).
    pub merchant_name: Option<String>,
}

impl VietQr {
    /// A payment of `amount_vnd` to `account` at `bank_bin`, referenced by `reference`.
    pub fn new(
        bank_bin: impl Into<String>,
        account: impl Into<String>,
        amount_vnd: u64,
        reference: impl Into<String>,
    ) -> VietQr {
        VietQr {
            bank_bin: bank_bin.into(),
            account: account.into(),
            amount_vnd,
            reference: reference.into(),
            bill_number: None,
            merchant_name: None,
        }
    }

    /// The payload to draw as a QR code, CRC included.
    pub fn payload(&self) -> Result<String, VietQrError> {
        if self.bank_bin.len() != 6 || !self.bank_bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::BankBin);
        }
        if self.account.is_empty()
            || self.account.len() > ACCOUNT_MAX
            || !self.account.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(VietQrError::Account);
        }
        let amount = self.amount_vnd.to_string();
        if self.amount_vnd == 0 || amount.len() > AMOUNT_MAX_DIGITS {
            return Err(VietQrError::Amount);
        }
        if !is_short_text(&self.reference) {
            return Err(VietQrError::Reference);
        }
        if self
            .bill_number
            .as_deref()
            .is_some_and(|b| !is_short_text(b))
        {
            return Err(VietQrError::BillNumber);
        }
        if self
            .merchant_name
            .as_deref()
            .is_some_and(|m| !is_short_text(m))
        {
            return Err(VietQrError::MerchantName);
        }

        let beneficiary = tlv("00", &self.bank_bin)? + &tlv("01", &self.account)?;
        let account_info =
            tlv("00", NAPAS_GUID)? + &tlv("01", &beneficiary)? + &tlv("02", SERVICE_TO_ACCOUNT)?;
        let mut additional = String::new();
        if let Some(bill) = &self.bill_number {
            additional += &tlv("01", bill)?;
        }
        additional += &tlv("08", &self.reference)?;

        let mut out = tlv("00", "01")? + &tlv("01", "12")? + &tlv("38", &account_info)?;
        out += &tlv("53", "704")?;
        out += &tlv("54", &amount)?;
        out += &tlv("58", "VN")?;
        if let Some(name) = &self.merchant_name {
            out += &tlv("59", name)?;
        }
        out += &tlv("62", &additional)?;
        out += "6304";
        let crc = crc16_ccitt_false(out.as_bytes());
        out += &format!("{crc:04X}");
        Ok(out)
    }
}

/// The key to match a transfer's purpose against a dossier code: banking apps often drop dots,
/// dashes and spaces from the transfer text, and some upper-case it.
pub fn reference_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Printable ASCII that every banking app keeps: letters, digits, space, `.`, `-`, `_`, `/`.
fn is_short_text(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SHORT_FIELD_MAX
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b'-' | b'_' | b'/'))
}

fn tlv(tag: &str, value: &str) -> Result<String, VietQrError> {
    let len = value.chars().count();
    if len > 99 {
        return Err(VietQrError::TooLong(tag.to_string()));
    }
    Ok(format!("{tag}{len:02}{value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published NAPAS example (dynamic, to account).
    const PUBLISHED: &str = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";

    #[test]
    fn builds_the_published_example() {
        let qr = VietQr {
            bill_number: Some("NPS6869".into()),
            ..VietQr::new("970403", "0011012345678", 180_000, "thanh toan don hang")
        };
        assert_eq!(qr.payload().unwrap(), PUBLISHED);
    }

    #[test]
    fn round_trips_a_dossier_code() {
        let qr = VietQr {
            merchant_name: Some("UBND PHUONG GIA SANG".into()),
            ..VietQr::new(
                "970415",
                "113000006868",
                50_000,
                "000.00.13.H56-260101-0001",
            )
        };
        let payload = qr.payload().unwrap();
        let parsed = parse(&payload).unwrap();
        assert_eq!(parsed.bank_bin, "970415");
        assert_eq!(parsed.account, "113000006868");
        assert_eq!(parsed.amount_vnd, Some(50_000));
        assert_eq!(
            parsed.reference.as_deref(),
            Some("000.00.13.H56-260101-0001")
        );
        assert_eq!(
            parsed.merchant_name.as_deref(),
            Some("UBND PHUONG GIA SANG")
        );
        assert!(parsed.dynamic);
        assert_eq!(parsed.service, SERVICE_TO_ACCOUNT);
    }

    #[test]
    fn refuses_bad_fields() {
        let ok = VietQr::new("970403", "0011012345678", 1, "HS1");
        assert!(ok.payload().is_ok());
        let cases = [
            (
                VietQr {
                    bank_bin: "97040".into(),
                    ..ok.clone()
                },
                VietQrError::BankBin,
            ),
            (
                VietQr {
                    bank_bin: "97040a".into(),
                    ..ok.clone()
                },
                VietQrError::BankBin,
            ),
            (
                VietQr {
                    account: String::new(),
                    ..ok.clone()
                },
                VietQrError::Account,
            ),
            (
                VietQr {
                    account: "1".repeat(20),
                    ..ok.clone()
                },
                VietQrError::Account,
            ),
            (
                VietQr {
                    account: "12 34".into(),
                    ..ok.clone()
                },
                VietQrError::Account,
            ),
            (
                VietQr {
                    amount_vnd: 0,
                    ..ok.clone()
                },
                VietQrError::Amount,
            ),
            (
                VietQr {
                    amount_vnd: 10_u64.pow(13),
                    ..ok.clone()
                },
                VietQrError::Amount,
            ),
            (
                VietQr {
                    reference: String::new(),
                    ..ok.clone()
                },
                VietQrError::Reference,
            ),
            (
                VietQr {
                    reference: "x".repeat(26),
                    ..ok.clone()
                },
                VietQrError::Reference,
            ),
            (
                VietQr {
                    reference: "phí hồ sơ".into(),
                    ..ok.clone()
                },
                VietQrError::Reference,
            ),
            (
                VietQr {
                    merchant_name: Some("UBND Phường".into()),
                    ..ok.clone()
                },
                VietQrError::MerchantName,
            ),
        ];
        for (qr, err) in cases {
            assert_eq!(qr.payload(), Err(err), "{qr:?}");
        }
        let max = VietQr {
            amount_vnd: 10_u64.pow(13) - 1,
            ..ok
        };
        assert!(max.payload().is_ok());
    }

    #[test]
    fn reference_key_ignores_punctuation_and_case() {
        assert_eq!(
            reference_key("000.00.13.H56-260101-0001"),
            reference_key("0000013h562601010001")
        );
    }
}
