//! Use cases
