//! The population registry simulator.
//!
//! `GET /registry/people/{personal_id}` needs `X-Purpose` (percent-encoded UTF-8), like the real
//! registry, which refuses a read without a stated purpose; each read is kept for
//! `GET /registry/lookups`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use motcua_domain::ident::check_personal_id;

use super::faults::Service;
use super::records::{Correction, Lookup};
use super::state::{ApiError, SimState, parse_json, push_capped};
use crate::http::percent_decode;
use crate::registry::{CorrectionRequest, InsuranceBook, PURPOSE_HEADER, Person, Ticket};

/// Fields of [`Person`] a correction may name.
const FIELDS: [&str; 4] = ["full_name", "birth_date", "sex", "permanent_address"];

/// `GET /registry/people/{personal_id}`
pub(crate) async fn person(
    State(state): State<SimState>,
    Path(personal_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Person>, ApiError> {
    let decision = state.decide(Service::Registry);
    state.apply(&decision, true).await?;
    let purpose = headers
        .get(PURPOSE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(percent_decode)
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("Thiếu mục đích tra cứu (X-Purpose, mã hóa phần trăm UTF-8).")
        })?;
    check_personal_id(&personal_id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let found = state.person(&personal_id).cloned();
    push_capped(
        &mut state.data().lookups,
        Lookup {
            personal_id,
            purpose,
            found: found.is_some(),
            at: jiff::Timestamp::now(),
        },
    );
    found.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Không có công dân mang số định danh này.",
        )
    })
}

/// Employers a made-up insurance book names.
const EMPLOYERS: [&str; 4] = [
    "Công ty TNHH Điện tử Samsung Thái Nguyên",
    "Công ty Cổ phần Gang thép Thái Nguyên",
    "Công ty TNHH May mặc Phú Bình",
    "Hợp tác xã Chè La Bằng",
];

/// `GET /insurance/books/{personal_id}`: the social insurance database behind the same data
/// exchange (and the same faults) as the population registry; a book for every known person,
/// made up from the personal ID so a run can be replayed.
pub(crate) async fn insurance_book(
    State(state): State<SimState>,
    Path(personal_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<InsuranceBook>, ApiError> {
    let Json(person) = self::person(State(state), Path(personal_id), headers).await?;
    let digits: u32 = person
        .personal_id
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .sum();
    Ok(Json(InsuranceBook {
        book_number: format!("19{}", &person.personal_id[4..]),
        insured_months: 12 + digits % 100,
        last_employer: EMPLOYERS[digits as usize % EMPLOYERS.len()].to_string(),
        personal_id: person.personal_id,
    }))
}

/// `GET /registry/lookups`
pub(crate) async fn lookups(State(state): State<SimState>) -> Json<Vec<Lookup>> {
    Json(state.data().lookups.iter().cloned().collect())
}

/// `POST /registry/corrections`
pub(crate) async fn correct(
    State(state): State<SimState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let decision = state.decide(Service::Registry);
    state.apply(&decision, true).await?;
    let request: CorrectionRequest = parse_json(&body)?;
    check_personal_id(&request.personal_id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if !FIELDS.contains(&request.field.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Trường cần điều chỉnh phải là một trong: {}.",
            FIELDS.join(", ")
        )));
    }
    if request.claimed_value.trim().is_empty() {
        return Err(ApiError::bad_request("Thiếu giá trị đề nghị điều chỉnh."));
    }
    let mut data = state.data();
    let ticket = format!("DC{:06}", data.next());
    push_capped(
        &mut data.corrections,
        Correction {
            ticket: ticket.clone(),
            request,
            at: jiff::Timestamp::now(),
        },
    );
    Ok((StatusCode::CREATED, Json(Ticket { ticket })))
}

/// `GET /registry/corrections`
pub(crate) async fn corrections(State(state): State<SimState>) -> Json<Vec<Correction>> {
    Json(state.data().corrections.iter().cloned().collect())
}
