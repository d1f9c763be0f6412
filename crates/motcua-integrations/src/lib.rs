//! Adapters to the systems motcua talks to but cannot reach from a test machine — the national
//! population registry, a payment gateway and VietQR bank transfers, SMS and mail — and built-in
//! simulators of them that speak real HTTP and SMTP and inject faults on request.
//!
//! The clients never log personal data: no personal ID, name, address, phone number or e-mail
//! address goes into a log line or an error message.

mod error;
mod http;
pub mod mail;
pub mod payment;
pub mod portal;
pub mod registry;
pub mod sim;
pub mod sms;
pub mod vietqr;

pub use error::IntegrationError;
pub use http::veto_outbound_calls_when;
