//! The rule that keeps the pool from freezing: while a task holds a write transaction, it may
//! run only that transaction's statements. A second pool connection taken meanwhile (a read
//! through [`Db`](crate::Db), another transaction) or a call to an outside system can wait on
//! the very connections that wait on this transaction's row locks; under load every connection
//! ends up waiting and the server hangs. So such a call is refused at once with
//! [`StoreError::InsideTransaction`](crate::StoreError::InsideTransaction), on both backends,
//! whether or not it would have deadlocked this time; tests find every such path.
//!
//! The rule is watched inside [`watched`] (every request, every background job); outside it,
//! nothing is checked.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    /// Write transactions the current task holds open.
    static OPEN: Cell<u32>;
}

/// Runs `work` with the rule watched.
pub async fn watched<F: Future>(work: F) -> F::Output {
    OPEN.scope(Cell::new(0), work).await
}

/// Refuses `what` when the current task holds a transaction open. Debug builds (the tests)
/// panic instead, so that no such path hides behind an error someone handles.
pub fn outside_transaction(what: &'static str) -> crate::Result<()> {
    if OPEN.try_with(Cell::get).unwrap_or(0) > 0 {
        #[cfg(debug_assertions)]
        panic!("{what} while a transaction is open");
        #[cfg(not(debug_assertions))]
        {
            tracing::error!(what, "refused: called while a transaction is open");
            return Err(crate::StoreError::InsideTransaction(what));
        }
    }
    Ok(())
}

/// Counts one open transaction of the current task until dropped.
pub(crate) struct Held {
    counted: bool,
}

impl Held {
    pub(crate) fn new() -> Held {
        let counted = OPEN.try_with(|n| n.set(n.get() + 1)).is_ok();
        Held { counted }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.counted {
            // A transaction dropped in another task than its own (never done) is not counted.
            let _ = OPEN.try_with(|n| n.set(n.get().saturating_sub(1)));
        }
    }
}
