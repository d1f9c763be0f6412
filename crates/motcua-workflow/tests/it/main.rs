//! The integration tests of motcua-workflow, built as one test binary.

mod demo_processes;
mod miwg;
mod parse_validate;
mod svg;
