//! Where each piece of a dossier's data came from ("once only": what a registry holds is fetched,
//! never asked again, and the dossier says so).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::procedure::{ComponentSource, ProcedureDefinition};

/// The origin of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Typed by the applicant (or by an officer filing for them).
    Applicant,
    PopulationRegistry,
    BusinessRegistry,
    SocialInsuranceRegistry,
}

impl DataSource {
    pub fn label(self) -> &'static str {
        match self {
            DataSource::Applicant => "Người nộp khai",
            DataSource::PopulationRegistry => "CSDL quốc gia về dân cư",
            DataSource::BusinessRegistry => "CSDL quốc gia về đăng ký doanh nghiệp",
            DataSource::SocialInsuranceRegistry => "CSDL bảo hiểm xã hội",
        }
    }

    /// The registry a component comes from, if it comes from one.
    pub fn of_component(source: ComponentSource) -> Option<DataSource> {
        match source {
            ComponentSource::PopulationRegistry => Some(DataSource::PopulationRegistry),
            ComponentSource::BusinessRegistry => Some(DataSource::BusinessRegistry),
            ComponentSource::SocialInsuranceRegistry => Some(DataSource::SocialInsuranceRegistry),
            ComponentSource::Form | ComponentSource::Upload => None,
        }
    }
}

/// A value with its origin and when it was obtained (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedValue {
    pub value: String,
    pub source: DataSource,
    pub obtained_at: String,
    /// Not confirmed by its registry (it could not be reached): an officer checks it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
}

/// The identity facts of a dossier's applicant, by key (`full_name`, `personal_id`, …).
pub type SourcedFacts = BTreeMap<String, SourcedValue>;

/// The registries a procedure takes data from instead of asking the applicant.
pub fn registry_sources(def: &ProcedureDefinition) -> Vec<DataSource> {
    let mut out: Vec<DataSource> = def
        .components
        .iter()
        .filter_map(|c| DataSource::of_component(c.source))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_components_name_their_registry_and_uploads_do_not() {
        assert_eq!(
            DataSource::of_component(ComponentSource::PopulationRegistry),
            Some(DataSource::PopulationRegistry)
        );
        assert_eq!(DataSource::of_component(ComponentSource::Upload), None);
        let def: ProcedureDefinition = serde_json::from_str(
            r#"{"components":[
                {"name":"Nhân thân","required":true,"source":"population_registry"},
                {"name":"BHXH","required":true,"source":"social_insurance_registry"},
                {"name":"Tờ khai","required":true,"source":"form"}],
              "form_fields":[],"result":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            registry_sources(&def),
            vec![
                DataSource::PopulationRegistry,
                DataSource::SocialInsuranceRegistry
            ]
        );
    }
}
