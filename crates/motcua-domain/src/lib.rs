//! The rules of the one-stop office, pure: no IO, no async, no clock. Callers pass in the
//! current instant and the facts; these functions say what is allowed and what follows.

pub mod calendar;
pub mod channel;
pub mod code;
pub mod dossier;
pub mod feedback;
pub mod fees;
pub mod form;
pub mod form_schema;
pub mod ident;
pub mod indices;
pub mod lunar;
pub mod notice;
pub mod procedure;
pub mod provenance;
pub mod role;
pub mod seal;
pub mod text;
pub mod urgency;

pub use dossier::{Command, DossierFacts, DossierState, EventKind, NewEvent, TransitionError};
pub use procedure::{Component, ComponentSource, FieldType, FormField, OnlineService};
pub use role::Role;
