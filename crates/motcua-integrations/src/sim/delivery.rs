//! Sending signed callbacks the way gateways and banks do: in the background, retried on
//! failure, and — when faults say so — late, twice, or held back and sent later.

use std::time::Duration;

use super::faults::Decision;
use super::records::{CallbackRecord, Outcome};
use super::state::{SimState, push_capped};
use crate::IntegrationError;
use crate::payment::{Callback, SIGNATURE_HEADER, sign};

/// Tries per copy before the sender gives up (a real gateway then waits for a status query).
const ATTEMPTS: u32 = 3;
/// Wait before the second try; doubles after each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Sends `callback` to `url` in the background, as `decision` says.
pub(crate) fn dispatch(state: &SimState, url: String, callback: Callback, decision: Decision) {
    let state = state.clone();
    tokio::spawn(async move {
        let Ok(body) = serde_json::to_vec(&callback) else {
            return;
        };
        let signature = sign(&state.config().secret, &body);
        let job = Job {
            state: &state,
            url: &url,
            callback: &callback,
            body: &body,
            signature: &signature,
        };
        if !state.sleep(decision.latency).await {
            return;
        }
        let mut late = false;
        if decision.drop {
            job.record(1, 0, false, Outcome::Dropped, None, None);
            if !state.sleep(state.config().redelivery_delay).await {
                return;
            }
            late = true;
        }
        let copies = if decision.duplicate { 2 } else { 1 };
        for copy in 1..=copies {
            if !job.send(copy, late).await {
                return;
            }
        }
    });
}

struct Job<'a> {
    state: &'a SimState,
    url: &'a str,
    callback: &'a Callback,
    body: &'a [u8],
    signature: &'a str,
}

impl Job<'_> {
    /// One copy, retried with backoff; `false` when the simulator is shutting down.
    async fn send(&self, copy: u8, late: bool) -> bool {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let result = self
                .state
                .http()
                .post(self.url)
                .header(SIGNATURE_HEADER, self.signature)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(self.body.to_vec())
                .send()
                .await;
            match result {
                Ok(resp) if resp.status().is_success() => {
                    let status = Some(resp.status().as_u16());
                    self.record(copy, attempt, late, Outcome::Delivered, status, None);
                    return true;
                }
                Ok(resp) => {
                    let status = Some(resp.status().as_u16());
                    self.record(copy, attempt, late, Outcome::Failed, status, None);
                }
                Err(e) => {
                    let error = Some(IntegrationError::from(e).to_string());
                    self.record(copy, attempt, late, Outcome::Failed, None, error);
                }
            }
            if attempt < ATTEMPTS && !self.state.sleep(backoff).await {
                return false;
            }
            backoff *= 2;
        }
        true
    }

    fn record(
        &self,
        copy: u8,
        attempt: u32,
        late: bool,
        outcome: Outcome,
        status: Option<u16>,
        error: Option<String>,
    ) {
        let mut data = self.state.data();
        let seq = data.next();
        push_capped(
            &mut data.callbacks,
            CallbackRecord {
                seq,
                transaction_id: self.callback.transaction_id.clone(),
                reference: self.callback.reference.clone(),
                session_id: self.callback.session_id.clone(),
                url: self.url.to_string(),
                copy,
                attempt,
                late,
                outcome,
                status,
                error,
                at: jiff::Timestamp::now(),
            },
        );
    }
}
