//! The clients against the in-process simulators, over real HTTP and real SMTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bank;
mod common;
mod faults;
mod mail;
mod payment;
mod registry;
mod sms;
