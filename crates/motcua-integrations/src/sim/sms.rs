//! The SMS gateway simulator: `POST /sms/send {to, text}` → `{id}`; `GET /sms/messages?to=`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use motcua_domain::ident::normalize_mobile;
use serde::Deserialize;

use super::faults::Service;
use super::records::SmsMessage;
use super::state::{ApiError, SimState, parse_json, push_capped};
use crate::sms::{SmsRequest, SmsSent, TEXT_MAX_CHARS, segments};

/// `POST /sms/send`
pub(crate) async fn send(
    State(state): State<SimState>,
    body: Bytes,
) -> Result<Json<SmsSent>, ApiError> {
    let decision = state.decide(Service::Sms);
    state.apply(&decision, true).await?;
    let request: SmsRequest = parse_json(&body)?;
    let to = normalize_mobile(&request.to).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let chars = request.text.chars().count();
    if chars == 0 || chars > TEXT_MAX_CHARS {
        return Err(ApiError::bad_request(format!(
            "Tin nhắn phải có từ 1 đến {TEXT_MAX_CHARS} ký tự."
        )));
    }
    let mut data = state.data();
    let id = format!("SMS{:08}", data.next());
    push_capped(
        &mut data.sms,
        SmsMessage {
            id: id.clone(),
            to,
            segments: segments(&request.text),
            text: request.text,
            at: jiff::Timestamp::now(),
        },
    );
    Ok(Json(SmsSent { id }))
}

#[derive(Deserialize)]
pub(crate) struct ToFilter {
    to: Option<String>,
}

/// `GET /sms/messages?to=`: all messages, or those to one number (any usual spelling).
pub(crate) async fn messages(
    State(state): State<SimState>,
    Query(filter): Query<ToFilter>,
) -> Json<Vec<SmsMessage>> {
    let to = filter.to.map(|t| normalize_mobile(&t).unwrap_or(t));
    let data = state.data();
    Json(
        data.sms
            .iter()
            .filter(|m| to.as_ref().is_none_or(|t| &m.to == t))
            .cloned()
            .collect(),
    )
}
