//! The integration tests of motcua, one test binary (one link, one shared server per backend).

mod authorization;
mod binary;
mod calendar_cli;
mod concurrency;
mod correction;
mod documents;
mod feedback;
mod forms;
mod indices;
mod intake;
mod journey;
mod notices;
mod once_only;
mod outbox;
mod pages;
mod payments;
mod portal_pull;
mod portal_sync;
mod process;
mod process_cli;
mod queue;
mod reminders;
mod search;
mod sim_cli;
mod slips;
mod verify;
