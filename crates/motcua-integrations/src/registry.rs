//! The national population registry (Cơ sở dữ liệu quốc gia về dân cư): look a person up by
//! personal ID, and report a recorded value the person says is wrong.
//!
//! Every look-up states its purpose (`X-Purpose`, percent-encoded UTF-8): the registry keeps it
//! for its own audit. When the registry is down the citizen types the data in and an officer
//! checks it later, so the errors say exactly that.

use std::time::Duration;

use motcua_domain::ident::{PersonalIdError, check_personal_id};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{IntegrationError, http};

/// The header that states why a record is read.
pub const PURPOSE_HEADER: &str = "X-Purpose";

/// A person as the registry records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub personal_id: String,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// As the registry writes it: "Nam" or "Nữ".
    pub sex: String,
    pub permanent_address: String,
}

/// A value the person says the registry has wrong, sent for the registry's officers to check.
/// A person's social insurance book (sổ bảo hiểm xã hội), as the social insurance database
/// answers through the national data exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceBook {
    pub personal_id: String,
    pub book_number: String,
    /// Months of unemployment-insurance contributions.
    pub insured_months: u32,
    pub last_employer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRequest {
    pub personal_id: String,
    /// Which field: `full_name`, `birth_date`, `sex` or `permanent_address`.
    pub field: String,
    pub recorded_value: String,
    pub claimed_value: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Why a look-up gave no person; the text is shown to the citizen as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistryError {
    #[error(
        "Không tìm thấy số định danh cá nhân này trong Cơ sở dữ liệu quốc gia về dân cư. Bạn hãy kiểm tra lại số đã nhập."
    )]
    NotFound,
    /// The detail is for the log, never for the citizen.
    #[error(
        "Chưa kết nối được Cơ sở dữ liệu quốc gia về dân cư. Bạn có thể tự nhập, cán bộ sẽ kiểm tra lại."
    )]
    Unavailable(String),
    #[error(
        "Cơ sở dữ liệu quốc gia về dân cư chưa trả lời kịp. Bạn có thể tự nhập, cán bộ sẽ kiểm tra lại."
    )]
    Timeout,
    #[error(transparent)]
    InvalidId(#[from] PersonalIdError),
    #[error("Yêu cầu tra cứu hoặc điều chỉnh thiếu thông tin: {0}")]
    Invalid(String),
}

impl RegistryError {
    /// Whether asking again later may give the person.
    pub fn is_retryable(&self) -> bool {
        matches!(self, RegistryError::Unavailable(_) | RegistryError::Timeout)
    }
}

impl From<IntegrationError> for RegistryError {
    fn from(e: IntegrationError) -> Self {
        match e {
            IntegrationError::Timeout => RegistryError::Timeout,
            // The registry refused what we sent (e.g. a field it does not correct): its reason.
            IntegrationError::Rejected { status, message }
                if (400..500).contains(&status) && status != 429 =>
            {
                RegistryError::Invalid(message)
            }
            other => RegistryError::Unavailable(other.to_string()),
        }
    }
}

/// A client of the population registry.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    base: String,
}

impl RegistryClient {
    pub fn new(base_url: &str, timeout: Duration) -> Result<RegistryClient, IntegrationError> {
        Ok(RegistryClient {
            http: http::client(timeout)?,
            base: http::base_url(base_url)?,
        })
    }

    /// The person with this personal ID; `purpose` says why (e.g. the dossier code).
    pub async fn person(&self, personal_id: &str, purpose: &str) -> Result<Person, RegistryError> {
        self.read("registry/people", personal_id, purpose).await
    }

    /// The person's social insurance book; the purpose is recorded like any registry read.
    pub async fn insurance_book(
        &self,
        personal_id: &str,
        purpose: &str,
    ) -> Result<InsuranceBook, RegistryError> {
        self.read("insurance/books", personal_id, purpose).await
    }

    /// One record about a person, with the purpose every read of the data exchange must state.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        collection: &str,
        personal_id: &str,
        purpose: &str,
    ) -> Result<T, RegistryError> {
        http::may_call()?;
        check_personal_id(personal_id)?;
        if purpose.trim().is_empty() {
            return Err(RegistryError::Invalid("mục đích tra cứu".into()));
        }
        let resp = self
            .http
            .get(format!("{}/{collection}/{personal_id}", self.base))
            .header(PURPOSE_HEADER, http::percent_encode(purpose))
            .send()
            .await
            .map_err(IntegrationError::from)?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(RegistryError::NotFound);
        }
        Ok(http::read_json(resp).await?)
    }

    /// Sends a correction request; answers the registry's ticket number.
    pub async fn report_correction(
        &self,
        request: &CorrectionRequest,
    ) -> Result<String, RegistryError> {
        http::may_call()?;
        check_personal_id(&request.personal_id)?;
        if request.field.trim().is_empty() || request.claimed_value.trim().is_empty() {
            return Err(RegistryError::Invalid(
                "trường cần điều chỉnh và giá trị đúng".into(),
            ));
        }
        let resp = self
            .http
            .post(format!("{}/registry/corrections", self.base))
            .json(request)
            .send()
            .await
            .map_err(IntegrationError::from)?;
        let ticket: Ticket = http::read_json(resp).await?;
        Ok(ticket.ticket)
    }
}

/// The registry's answer to a correction request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub ticket: String,
}
