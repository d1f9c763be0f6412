//! The national portal simulator: `POST /portal/dossiers` (with `Idempotency-Key`) applies a
//! sync message once per key; `GET /portal/stats` says what it holds. Faults: errors and hangs
//! answer before applying; a *duplicate* fault applies the message and then answers 503, as a
//! portal whose answer was lost on the way back, so the sender retries what was already done.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;

use super::faults::Service;
use super::state::{ApiError, SimState, parse_json};
use crate::portal::{IDEMPOTENCY_HEADER, PortalAnswer, PortalDossier};

/// What the portal holds.
#[derive(Debug, Default)]
pub(crate) struct PortalData {
    /// Keys already applied.
    keys: HashSet<String>,
    /// Per dossier code: the progress lines applied, by sequence number, with how often.
    dossiers: HashMap<String, Dossier>,
    replays: u64,
    /// Dossiers filed on the portal for the province to pull, in filing order.
    pub(crate) filed: Vec<crate::portal::FiledDossier>,
}

#[derive(Debug, Default)]
struct Dossier {
    status: i64,
    last_seq: i64,
    progress: HashMap<i64, u32>,
}

/// `GET /portal/stats`
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PortalStats {
    pub dossiers: usize,
    /// Progress lines held, over all dossiers.
    pub progress_lines: usize,
    /// Progress lines applied more than once (a sender that sent one event under two keys).
    pub applied_twice: usize,
    /// Messages that came again under a key already applied (retries; changed nothing).
    pub replays: u64,
    /// Current national status of each dossier code.
    pub statuses: HashMap<String, i64>,
}

/// `POST /portal/dossiers`
pub(crate) async fn sync(
    State(state): State<SimState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PortalAnswer>, ApiError> {
    let decision = state.decide(Service::Portal);
    if decision.failure.is_some() {
        state.apply(&decision, true).await?;
    }
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| ApiError::bad_request("Thiếu Idempotency-Key."))?
        .to_string();
    let message: PortalDossier = parse_json(&body)?;
    {
        let mut data = state.data();
        let portal = &mut data.portal;
        if !portal.keys.insert(key) {
            portal.replays += 1;
        } else {
            let d = portal.dossiers.entry(message.ma_ho_so.clone()).or_default();
            *d.progress.entry(message.tien_trinh.so_thu_tu).or_default() += 1;
            // Messages may arrive out of order: the newest event sets the status.
            if message.tien_trinh.so_thu_tu >= d.last_seq {
                d.last_seq = message.tien_trinh.so_thu_tu;
                d.status = message.trang_thai_ho_so;
            }
        }
    }
    if decision.duplicate {
        return Err(ApiError::unavailable());
    }
    Ok(Json(PortalAnswer {
        error_code: 0,
        message: "Thành công".into(),
    }))
}

/// `GET /portal/stats`
pub(crate) async fn stats(State(state): State<SimState>) -> Json<PortalStats> {
    let data = state.data();
    let p = &data.portal;
    Json(PortalStats {
        dossiers: p.dossiers.len(),
        progress_lines: p.dossiers.values().map(|d| d.progress.len()).sum(),
        applied_twice: p
            .dossiers
            .values()
            .flat_map(|d| d.progress.values())
            .filter(|n| **n > 1)
            .count(),
        replays: p.replays,
        statuses: p
            .dossiers
            .iter()
            .map(|(code, d)| (code.clone(), d.status))
            .collect(),
    })
}
