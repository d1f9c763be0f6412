//! An SMTP sink that speaks enough RFC 5321 for lettre and other clients: greeting, EHLO/HELO,
//! MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, VRFY, QUIT. It advertises 8BITMIME and
//! SMTPUTF8, offers no TLS, and keeps what it receives for `GET /mail/messages`.
//!
//! Mail faults: an error answers `451` to MAIL (the client retries later), a hang stops
//! answering, latency delays the answer to MAIL.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

use super::faults::{Failure, Service};
use super::mail::decode;
use super::records::MailMessage;
use super::state::{SimState, push_capped};

/// Longest command line accepted (RFC 5321 says 512 with the CRLF; extensions add some).
const COMMAND_MAX: u64 = 2048;
/// Longest text line in DATA; RFC 5321 says 1000, lenient here.
const DATA_LINE_MAX: u64 = 64 * 1024;
/// Largest message kept; advertised as SIZE.
const MESSAGE_MAX: usize = 10 * 1024 * 1024;
const RECIPIENTS_MAX: usize = 100;
/// A client silent this long is disconnected.
const IDLE: Duration = Duration::from_secs(300);
const HOST: &str = "motcua-sim";

/// Accepts connections until the simulator shuts down.
pub(crate) async fn serve(listener: TcpListener, state: SimState) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let state = state.clone();
                    tokio::spawn(async move {
                        if let Err(e) = session(stream, state).await {
                            tracing::debug!(error = %e, "smtp session ended with an error");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "smtp accept failed");
                    if !state.sleep(Duration::from_millis(100)).await {
                        return;
                    }
                }
            },
            () = state.stopped() => return,
        }
    }
}

#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    state: SimState,
}

impl Conn {
    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await
    }

    /// One line with its line end, at most `max` bytes; `None` at end of input, when idle too
    /// long or when the simulator stops. A longer line comes back cut (without a line end).
    async fn line(&mut self, max: u64) -> std::io::Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        let mut limited = (&mut self.reader).take(max);
        let read = limited.read_until(b'\n', &mut buf);
        tokio::select! {
            n = read => Ok(if n? == 0 { None } else { Some(buf) }),
            _ = tokio::time::sleep(IDLE) => Ok(None),
            () = self.state.stopped() => Ok(None),
        }
    }
}

async fn session(stream: TcpStream, state: SimState) -> std::io::Result<()> {
    let (read, writer) = stream.into_split();
    let mut conn = Conn {
        reader: BufReader::new(read),
        writer,
        state,
    };
    conn.reply(&format!("220 {HOST} ESMTP ready")).await?;
    let mut envelope = Envelope::default();
    while let Some(raw) = conn.line(COMMAND_MAX).await? {
        if !raw.ends_with(b"\n") {
            conn.reply("500 5.5.2 Line too long").await?;
            return Ok(());
        }
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                envelope = Envelope::default();
                let text = format!(
                    "250-{HOST} greets {}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {MESSAGE_MAX}",
                    arg.trim()
                );
                conn.reply(&text).await?;
            }
            "HELO" => {
                envelope = Envelope::default();
                conn.reply(&format!("250 {HOST}")).await?;
            }
            "MAIL" => {
                if envelope.from.is_some() {
                    conn.reply("503 5.5.1 Nested MAIL command").await?;
                    continue;
                }
                let Some(from) = path_after(arg, "FROM:") else {
                    conn.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await?;
                    continue;
                };
                let decision = conn.state.decide(Service::Mail);
                if !conn.state.sleep(decision.latency).await {
                    return Ok(());
                }
                match decision.failure {
                    Some(Failure::Error) => {
                        conn.reply("451 4.3.0 Temporarily unavailable (simulated fault)")
                            .await?;
                    }
                    Some(Failure::Timeout) => {
                        let hang = conn.state.config().timeout_hang;
                        conn.state.sleep(hang).await;
                        return Ok(());
                    }
                    None => {
                        envelope.from = Some(from);
                        conn.reply("250 2.1.0 OK").await?;
                    }
                }
            }
            "RCPT" => {
                if envelope.from.is_none() {
                    conn.reply("503 5.5.1 Need MAIL first").await?;
                } else if envelope.to.len() >= RECIPIENTS_MAX {
                    conn.reply("452 4.5.3 Too many recipients").await?;
                } else if let Some(to) = path_after(arg, "TO:").filter(|t| !t.is_empty()) {
                    envelope.to.push(to);
                    conn.reply("250 2.1.5 OK").await?;
                } else {
                    conn.reply("501 5.5.4 Syntax: RCPT TO:<address>").await?;
                }
            }
            "DATA" => {
                if envelope.from.is_none() || envelope.to.is_empty() {
                    conn.reply("503 5.5.1 Need RCPT first").await?;
                    continue;
                }
                conn.reply("354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(raw) = read_data(&mut conn).await? else {
                    return Ok(());
                };
                let envelope = std::mem::take(&mut envelope);
                match raw {
                    Some(raw) => {
                        let id = store(&conn.state, envelope, &raw);
                        conn.reply(&format!("250 2.0.0 OK queued as {id}")).await?;
                    }
                    None => conn.reply("552 5.3.4 Message too big").await?,
                }
            }
            "RSET" => {
                envelope = Envelope::default();
                conn.reply("250 2.0.0 OK").await?;
            }
            "NOOP" => conn.reply("250 2.0.0 OK").await?,
            "VRFY" => conn.reply("252 2.1.5 Cannot VRFY user").await?,
            "STARTTLS" => conn.reply("454 4.7.0 TLS not available").await?,
            "QUIT" => {
                conn.reply(&format!("221 2.0.0 {HOST} closing connection"))
                    .await?;
                return Ok(());
            }
            _ => conn.reply("500 5.5.2 Command not recognized").await?,
        }
    }
    Ok(())
}

/// The message up to the lone `.` line, dot-unstuffed. `None` when the connection ended;
/// `Some(None)` when the message was too big (read to its end and dropped).
async fn read_data(conn: &mut Conn) -> std::io::Result<Option<Option<Vec<u8>>>> {
    let mut message = Vec::new();
    let mut too_big = false;
    loop {
        let Some(line) = conn.line(DATA_LINE_MAX).await? else {
            return Ok(None);
        };
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        // A line starting with a dot was sent with one more (RFC 5321 §4.5.2).
        let line = if line.first() == Some(&b'.') {
            &line[1..]
        } else {
            &line[..]
        };
        if message.len() + line.len() > MESSAGE_MAX {
            too_big = true;
        }
        if !too_big {
            message.extend_from_slice(line);
        }
    }
    Ok(Some((!too_big).then_some(message)))
}

/// Keeps a received message; answers its id.
fn store(state: &SimState, envelope: Envelope, raw: &[u8]) -> String {
    let (subject, body) = decode(raw);
    let mut data = state.data();
    let id = format!("MAIL{:08}", data.next());
    push_capped(
        &mut data.mails,
        MailMessage {
            id: id.clone(),
            from: envelope.from.unwrap_or_default(),
            to: envelope.to,
            subject,
            body,
            at: jiff::Timestamp::now(),
        },
    );
    id
}

/// The address in `FROM:<a@b> PARAMS` (case-insensitive keyword, optional space, optional
/// brackets); `<>` is the empty address.
fn path_after(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        Some(inner[..end].to_string())
    } else {
        rest.split_whitespace().next().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            path_after("FROM:<a@b.vn> BODY=8BITMIME SMTPUTF8", "FROM:").as_deref(),
            Some("a@b.vn")
        );
        assert_eq!(path_after("from: <x@y>", "FROM:").as_deref(), Some("x@y"));
        assert_eq!(path_after("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path_after("TO:c@d", "TO:").as_deref(), Some("c@d"));
        assert_eq!(path_after("FROM <a@b>", "FROM:"), None);
        assert_eq!(path_after("TO:<unclosed", "TO:"), None);
    }
}
