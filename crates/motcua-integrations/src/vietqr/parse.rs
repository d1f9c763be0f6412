//! Reading a VietQR payload back: what a bank (or our simulator of one) does after a scan.

use super::{NAPAS_GUID, VietQrError, crc16_ccitt_false};

/// The fields of a scanned VietQR that a transfer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedVietQr {
    /// `01` = `12`: a one-off code with its amount (`11` is a reusable, static one).
    pub dynamic: bool,
    pub bank_bin: String,
    pub account: String,
    /// `QRIBFTTA` (to an account) or `QRIBFTTC` (to a card).
    pub service: String,
    pub amount_vnd: Option<u64>,
    pub country: Option<String>,
    pub merchant_name: Option<String>,
    /// 62.01.
    pub bill_number: Option<String>,
    /// 62.08, the purpose of the transfer: the dossier code when we made the code.
    pub reference: Option<String>,
}

/// Checks the CRC, then reads the fields; unknown tags are skipped.
pub fn parse(payload: &str) -> Result<ParsedVietQr, VietQrError> {
    let payload = payload.trim();
    check_crc(payload)?;
    let top = fields(payload)?;
    match top.first() {
        Some(("00", "01")) => {}
        _ => return Err(malformed("trường 00 phải là 01 và đứng đầu")),
    }
    match top.last() {
        Some(("63", crc)) if crc.len() == 4 => {}
        _ => return Err(malformed("trường 63 (CRC) phải đứng cuối")),
    }
    let get = |tag: &str| sub(&top, tag);

    let dynamic = match get("01") {
        Some("12") => true,
        Some("11") | None => false,
        Some(_) => return Err(malformed("trường 01 phải là 11 hoặc 12")),
    };
    let account_info = fields(get("38").ok_or(VietQrError::NotVietQr)?)?;
    if !sub(&account_info, "00").is_some_and(|g| g.eq_ignore_ascii_case(NAPAS_GUID)) {
        return Err(VietQrError::NotVietQr);
    }
    let beneficiary = fields(
        sub(&account_info, "01").ok_or_else(|| malformed("thiếu thông tin người thụ hưởng"))?,
    )?;
    let bank_bin = sub(&beneficiary, "00").unwrap_or_default();
    if bank_bin.len() != 6 || !bank_bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VietQrError::BankBin);
    }
    let account = sub(&beneficiary, "01").unwrap_or_default();
    if account.is_empty() {
        return Err(VietQrError::Account);
    }
    let service = sub(&account_info, "02")
        .ok_or_else(|| malformed("thiếu mã dịch vụ (38.02)"))?
        .to_string();
    if get("53") != Some("704") {
        return Err(VietQrError::Currency);
    }
    let amount_vnd = get("54").map(parse_amount).transpose()?;
    let additional = get("62").map(fields).transpose()?.unwrap_or_default();

    Ok(ParsedVietQr {
        dynamic,
        bank_bin: bank_bin.to_string(),
        account: account.to_string(),
        service,
        amount_vnd,
        country: get("58").map(str::to_string),
        merchant_name: get("59").map(str::to_string),
        bill_number: sub(&additional, "01").map(str::to_string),
        reference: sub(&additional, "08").map(str::to_string),
    })
}

fn sub<'a>(fields: &[(&str, &'a str)], tag: &str) -> Option<&'a str> {
    fields.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v)
}

fn malformed(why: &str) -> VietQrError {
    VietQrError::Malformed(why.to_string())
}

/// The last four characters are the CRC of everything before them, `6304` included.
fn check_crc(payload: &str) -> Result<(), VietQrError> {
    let split = payload.len().checked_sub(4).ok_or(VietQrError::Crc)?;
    if !payload.is_char_boundary(split) {
        return Err(VietQrError::Crc);
    }
    let (body, crc) = payload.split_at(split);
    if !body.ends_with("6304") || !crc.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(VietQrError::Crc);
    }
    let stated = u16::from_str_radix(crc, 16).map_err(|_| VietQrError::Crc)?;
    if stated != crc16_ccitt_false(body.as_bytes()) {
        return Err(VietQrError::Crc);
    }
    Ok(())
}

/// Splits `TTLLvalue…` into (tag, value), refusing repeated tags; lengths count characters, as
/// EMVCo does.
fn fields(mut s: &str) -> Result<Vec<(&str, &str)>, VietQrError> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    while !s.is_empty() {
        let head = s
            .get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| malformed("mã trường hoặc độ dài không phải số"))?;
        let (tag, len) = head.split_at(2);
        let len: usize = len
            .parse()
            .map_err(|_| malformed("độ dài trường không đúng"))?;
        let rest = &s[4..];
        let end = rest
            .char_indices()
            .nth(len)
            .map(|(i, _)| i)
            .or_else(|| (rest.chars().count() == len).then_some(rest.len()))
            .ok_or_else(|| VietQrError::Malformed(format!("trường {tag} bị cắt")))?;
        if out.iter().any(|(t, _)| *t == tag) {
            return Err(VietQrError::Malformed(format!("trường {tag} lặp lại")));
        }
        out.push((tag, &rest[..end]));
        s = &rest[end..];
    }
    Ok(out)
}

/// VND has no minor unit; `180000` and `180000.00` both mean 180 000 đồng.
fn parse_amount(s: &str) -> Result<u64, VietQrError> {
    let whole = match s.split_once('.') {
        Some((whole, frac)) if frac.bytes().all(|b| b == b'0') => whole,
        Some(_) => return Err(VietQrError::Amount),
        None => s,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VietQrError::Amount);
    }
    whole.parse().map_err(|_| VietQrError::Amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: &str = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";

    #[test]
    fn reads_the_published_example() {
        let qr = parse(PUBLISHED).unwrap();
        assert_eq!(
            qr,
            ParsedVietQr {
                dynamic: true,
                bank_bin: "970403".into(),
                account: "0011012345678".into(),
                service: "QRIBFTTA".into(),
                amount_vnd: Some(180_000),
                country: Some("VN".into()),
                merchant_name: None,
                bill_number: Some("NPS6869".into()),
                reference: Some("thanh toan don hang".into()),
            }
        );
        // Lower-case CRC digits are the same number.
        let lower = format!("{}2e2e", &PUBLISHED[..PUBLISHED.len() - 4]);
        assert!(parse(&lower).is_ok());
    }

    #[test]
    fn refuses_a_changed_or_cut_payload() {
        let changed = PUBLISHED.replace("180000", "980000");
        assert_eq!(parse(&changed), Err(VietQrError::Crc));
        assert_eq!(parse(&PUBLISHED[..40]), Err(VietQrError::Crc));
        assert_eq!(parse(""), Err(VietQrError::Crc));
        assert_eq!(parse("6304"), Err(VietQrError::Crc));
    }

    #[test]
    fn refuses_what_is_not_vietqr() {
        // A well-formed EMVCo code with another scheme's GUID in 38.
        let body = "000201010212381400100000000000530370454031005802VN6304";
        let payload = format!("{body}{:04X}", crc16_ccitt_false(body.as_bytes()));
        assert_eq!(parse(&payload), Err(VietQrError::NotVietQr));
        // A length running past the end.
        let body = "0002015499";
        let payload = format!(
            "{body}6304{:04X}",
            crc16_ccitt_false(format!("{body}6304").as_bytes())
        );
        assert!(matches!(parse(&payload), Err(VietQrError::Malformed(_))));
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("180000"), Ok(180_000));
        assert_eq!(parse_amount("180000.00"), Ok(180_000));
        assert_eq!(parse_amount("1.5"), Err(VietQrError::Amount));
        assert_eq!(parse_amount("-1"), Err(VietQrError::Amount));
        assert_eq!(parse_amount(""), Err(VietQrError::Amount));
    }
}
