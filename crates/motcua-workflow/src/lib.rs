//! The internal process of a procedure (quy trình nội bộ), as analysts draw it in BPMN 2.0 with
//! bpmn.io or Camunda Modeler: read the file, check it, run it as tokens, draw it. Pure: no IO,
//! no clock (the caller gives instants and working-day deadlines), so the same engine runs in
//! memory, in tests and inside a database transaction.

pub mod engine;
pub mod expr;
pub mod model;
pub mod parse;
pub mod summary;
pub mod svg;
pub mod validate;

pub use model::*;
pub use parse::{XmlError, parse_document};
pub use validate::{Problem, check, executable};
