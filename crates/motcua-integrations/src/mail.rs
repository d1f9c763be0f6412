//! E-mail notices over SMTP (lettre). Plain SMTP suits a local relay (the usual production set-up:
//! the relay holds the TLS and the credentials); STARTTLS and implicit TLS are there for
//! sending straight to a provider.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::IntegrationError;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailSecurity {
    /// No TLS: only for localhost or a relay on a trusted network.
    #[default]
    Plain,
    /// Upgrade with STARTTLS (usually port 587); refuses a server that does not offer it.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Everything a mailer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    /// `Name <address>` or a bare address.
    pub from_address: String,
    pub security: MailSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    pub timeout: Duration,
}

/// Sends plain-text mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// Plain SMTP to `host:port` (a local relay or the simulator's sink), 30-second timeout.
    pub fn new(host: &str, port: u16, from_address: &str) -> Result<Mailer, IntegrationError> {
        Mailer::with_config(&MailConfig {
            host: host.to_string(),
            port,
            from_address: from_address.to_string(),
            security: MailSecurity::Plain,
            credentials: None,
            timeout: Duration::from_secs(30),
        })
    }

    pub fn with_config(config: &MailConfig) -> Result<Mailer, IntegrationError> {
        let from: Mailbox = config.from_address.parse().map_err(|_| {
            IntegrationError::Config("địa chỉ người gửi thư (from) không hợp lệ".into())
        })?;
        let tls_error = |e: lettre::transport::smtp::Error| {
            IntegrationError::Config(format!("không cấu hình được TLS: {e}"))
        };
        let builder = match config.security {
            MailSecurity::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
            MailSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(tls_error)?
            }
            MailSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(tls_error)?
            }
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one UTF-8 plain-text message to one address.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text_body: &str,
    ) -> Result<(), IntegrationError> {
        crate::http::may_call()?;
        let to: Mailbox = to.parse().map_err(|_| {
            IntegrationError::Invalid("địa chỉ thư điện tử người nhận không hợp lệ".into())
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text_body.to_string())
            .map_err(|e| IntegrationError::Invalid(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(smtp_error)
    }
}

/// The server's own text is left out: it often repeats the recipient's address.
fn smtp_error(e: lettre::transport::smtp::Error) -> IntegrationError {
    let code = e.status().map(|c| c.to_string());
    if e.is_timeout() {
        IntegrationError::Timeout
    } else if e.is_permanent() {
        IntegrationError::MailRejected(code.as_deref().and_then(|c| c.parse().ok()).unwrap_or(550))
    } else if e.is_transient() {
        IntegrationError::Unavailable(format!(
            "máy chủ thư tạm thời không nhận (SMTP {})",
            code.unwrap_or_default()
        ))
    } else if e.is_tls() {
        IntegrationError::Unavailable("lỗi TLS khi kết nối máy chủ thư".into())
    } else {
        IntegrationError::Unavailable("không kết nối được máy chủ thư".into())
    }
}
