//! The integration tests of motcua-app, built as one test binary.

mod lifecycle_replay;
mod process_restart;
