//! Web
