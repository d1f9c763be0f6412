//! Keys
