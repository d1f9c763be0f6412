//! Decision 766 service-quality figures: what a dossier's events contribute ([`facts`]), the
//! periods they are asked for ([`period`]) and the formulas ([`score`]).

pub mod facts;
pub mod period;
pub mod score;
#[cfg(test)]
mod tests;

pub use facts::{Basics, Counters, IndexEvent, IndexFacts, day_number};
pub use period::{Period, date_of, day_of};
pub use score::{Indicator, Inputs, ProcedureFigures, Report, grade, percent, round2};
