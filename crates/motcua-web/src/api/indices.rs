//! Decision 766 figures as JSON: the same numbers as the transparency and ranking pages.

use axum::Json;
use axum::extract::{Query, State};
use motcua_app::{Figures, IndexQuery, RankedAgency};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
pub struct IndexParams {
    /// `2026`, `2026-Q4`, `2026-11` or `2026-01-15..2026-02-10`; this month when absent.
    pub period: Option<String>,
    /// Agency code; the whole province when absent.
    pub agency: Option<String>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// Field (lĩnh vực), as the catalog names it.
    pub field: Option<String>,
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Anyone: the six groups' indicators with their formulas, numerators, denominators and
/// points, the operational rates, the score and the grade (no dossier, no person).
#[utoipa::path(get, path = "/api/v1/indices", params(IndexParams),
    responses((status = 200, description = "Figures of the scope and period"), (status = 400, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn figures(
    State(s): State<AppState>,
    Query(p): Query<IndexParams>,
) -> Result<Json<Figures>, ApiError> {
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    let q = IndexQuery {
        agency: nonempty(p.agency),
        procedure: nonempty(p.procedure),
        field: nonempty(p.field),
    };
    Ok(Json(s.app.figures(&q, &period).await?))
}

/// Anyone: agencies ranked by score, with their grades.
#[utoipa::path(get, path = "/api/v1/ranking", params(IndexParams),
    responses((status = 200, description = "Agencies, best first"), (status = 400, body = super::ErrorBody)))]
pub async fn ranking(
    State(s): State<AppState>,
    Query(p): Query<IndexParams>,
) -> Result<Json<Vec<RankedAgency>>, ApiError> {
    let period = s.app.period_or_this_month(p.period.as_deref())?;
    Ok(Json(s.app.ranking(&period).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Rebuilt {
    /// Dossiers folded again from their events.
    dossiers: u64,
    /// Of them, those whose kept facts differed from their events.
    refolded: u64,
    /// Daily and monthly sum rows that were off, mended.
    rows_mended: u64,
}

/// Administrators: recompute every aggregate from the event log.
#[utoipa::path(post, path = "/api/v1/admin/indices/rebuild", security(("bearer" = [])),
    responses((status = 200, body = Rebuilt), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn rebuild(
    State(s): State<AppState>,
    ApiUser(user, _): ApiUser,
) -> Result<Json<Rebuilt>, ApiError> {
    let done = s.app.rebuild_indices_as(&user).await?;
    Ok(Json(Rebuilt {
        dossiers: done.dossiers,
        refolded: done.refolded,
        rows_mended: done.rows_mended,
    }))
}
