//! Mail the SMTP sink took, decoded for people and tests: `GET /mail/messages?to=`.
//!
//! Senders encode non-ASCII subjects as RFC 2047 encoded-words and bodies as quoted-printable or
//! base64; mail-parser undoes all of these (and the character sets) so the JSON shows the text
//! as it was written.

use axum::Json;
use axum::extract::{Query, State};
use mail_parser::MessageParser;
use serde::Deserialize;

use super::records::MailMessage;
use super::state::SimState;

/// The subject and plain-text body of a raw RFC 5322 message; CRLF line ends become LF.
pub(crate) fn decode(raw: &[u8]) -> (String, String) {
    let Some(message) = MessageParser::default().parse(raw) else {
        return (String::new(), String::from_utf8_lossy(raw).into_owned());
    };
    let subject = message.subject().unwrap_or_default().to_string();
    let body = message
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    (subject, body)
}

#[derive(Deserialize)]
pub(crate) struct ToFilter {
    to: Option<String>,
}

/// `GET /mail/messages?to=`: all mail, or mail to one address (case-insensitive).
pub(crate) async fn messages(
    State(state): State<SimState>,
    Query(filter): Query<ToFilter>,
) -> Json<Vec<MailMessage>> {
    let data = state.data();
    Json(
        data.mails
            .iter()
            .filter(|m| {
                filter
                    .to
                    .as_ref()
                    .is_none_or(|t| m.to.iter().any(|r| r.eq_ignore_ascii_case(t)))
            })
            .cloned()
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encoded_words_and_quoted_printable() {
        let raw = b"From: a@example.vn\r\nTo: b@example.vn\r\n\
Subject: =?utf-8?b?SOG7kyBzxqEgxJHDoyDEkcaw4bujYyB0aeG6v3Agbmjhuq1u?=\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Ch=C3=A0o b=E1=BA=A1n,\r\nH=E1=BB=93 s=C6=A1 =C4=91=C3=A3 =C4=91=C6=B0=E1=BB=A3c ti=E1=BA=BFp nh=E1=BA=ADn.\r\n";
        let (subject, body) = decode(raw);
        assert_eq!(subject, "Hồ sơ đã được tiếp nhận");
        assert_eq!(body, "Chào bạn,\nHồ sơ đã được tiếp nhận.\n");
    }
}
