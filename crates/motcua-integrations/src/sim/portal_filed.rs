//! Dossiers filed on the national portal, for the province to pull: `POST /portal/filed` files
//! one (as a citizen would on the national portal; the simulator gives it a reference), `GET
//! /portal/filed?after=N&limit=M` pages through them. Faults: errors and hangs answer nothing;
//! a *duplicate* fault answers the page but leaves the cursor where it was, so the same dossiers
//! come again and the puller must take each only once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::faults::Service;
use super::state::{ApiError, SimState, parse_json};
use crate::portal::{FiledDossier, FiledPage};

/// Largest page served.
const MAX_PAGE: usize = 200;

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Filed {
    reference: String,
}

/// `POST /portal/filed`
pub(crate) async fn file(
    State(state): State<SimState>,
    body: Bytes,
) -> Result<Json<Filed>, ApiError> {
    let mut dossier: FiledDossier = parse_json(&body)?;
    if dossier.ma_tthc.is_empty() || dossier.ma_co_quan.is_empty() {
        return Err(ApiError::bad_request("Thiếu MaTTHC hoặc MaCoQuan."));
    }
    let mut data = state.data();
    let n = data.next();
    if dossier.ma_ho_so_quoc_gia.is_empty() {
        dossier.ma_ho_so_quoc_gia = format!("G22.{n:08}");
    }
    let reference = dossier.ma_ho_so_quoc_gia.clone();
    data.portal.filed.push(dossier);
    Ok(Json(Filed { reference }))
}

/// `GET /portal/filed`
pub(crate) async fn page(
    State(state): State<SimState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<FiledPage>, ApiError> {
    let decision = state.decide(Service::Portal);
    state.apply(&decision, true).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let data = state.data();
    let start = usize::try_from(q.after).unwrap_or(usize::MAX);
    let items: Vec<FiledDossier> = data
        .portal
        .filed
        .iter()
        .skip(start)
        .take(limit)
        .cloned()
        .collect();
    let next = if decision.duplicate {
        q.after
    } else {
        q.after + items.len() as u64
    };
    Ok(Json(FiledPage { items, next }))
}
