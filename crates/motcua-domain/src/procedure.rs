//! A procedure as the catalog publishes it: components, form, fees and legal time. A dossier keeps
//! the version in force when it was filed, so this is plain data that can be stored as it is.

use serde::{Deserialize, Serialize};

/// Full online service: the whole procedure can be done online; partial: some step is in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineService {
    Full,
    Partial,
}

impl OnlineService {
    pub fn label(self) -> &'static str {
        match self {
            OnlineService::Full => "Toàn trình",
            OnlineService::Partial => "Một phần",
        }
    }
}

/// Where a component's content comes from. Anything obtainable from a registry is never asked of
/// the applicant (the "once only" rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentSource {
    /// Filled in through the procedure's form.
    Form,
    /// A file the applicant attaches.
    Upload,
    PopulationRegistry,
    SocialInsuranceRegistry,
    BusinessRegistry,
}

impl ComponentSource {
    pub fn is_registry(self) -> bool {
        matches!(
            self,
            ComponentSource::PopulationRegistry
                | ComponentSource::SocialInsuranceRegistry
                | ComponentSource::BusinessRegistry
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            ComponentSource::Form => "Điền trên biểu mẫu",
            ComponentSource::Upload => "Tải tệp lên",
            ComponentSource::PopulationRegistry => "Lấy từ CSDL quốc gia về dân cư",
            ComponentSource::SocialInsuranceRegistry => "Lấy từ CSDL bảo hiểm xã hội",
            ComponentSource::BusinessRegistry => "Lấy từ CSDL đăng ký doanh nghiệp",
        }
    }
}

/// One component (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    pub required: bool,
    pub source: ComponentSource,
    /// For a registry component about someone else: the form field that holds their personal
    /// ID. `None`: the applicant's own record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
}

/// The kinds of form field a procedure may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Date,
    Choice,
    PersonalId,
    /// Enterprise / tax code (10 digits, or 13 for a branch).
    TaxCode,
    /// Vietnamese mobile number.
    Phone,
    Integer,
    Number,
}

/// One field of a procedure's declaration form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Bounds for integer and number fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Help shown under the label (JSON Schema `description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How a choice is drawn; default: radio buttons up to four options, else a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget: Option<ChoiceWidget>,
    /// The browser's autofill token (`name`, `bday`, `tel`, …), so a phone fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
}

/// How a choice field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceWidget {
    Select,
    Radio,
}

impl FormField {
    /// Whether a choice is drawn as radio buttons (few options are easier to tap than a list).
    pub fn as_radio(&self) -> bool {
        self.field_type == FieldType::Choice
            && match self.widget {
                Some(w) => w == ChoiceWidget::Radio,
                None => self.options.len() <= 4,
            }
    }
}

/// What a supplement requested during appraisal does to the legal clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClock {
    /// The time limit counts anew from the receipt of the complete dossier (Decree 61/2018
    /// art. 19(4)); the default.
    #[default]
    Restart,
    /// The applicant's supplement time is left out: the clock resumes with what was left (the
    /// Decision 766 method).
    Pause,
}

/// The parts of a procedure version that a dossier is judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureDefinition {
    pub components: Vec<Component>,
    /// The declaration form; stored and published as a JSON Schema (see `form_schema`).
    #[serde(
        rename = "form",
        alias = "form_fields",
        with = "crate::form_schema::serde_fields"
    )]
    pub form_fields: Vec<FormField>,
    pub result: String,
    #[serde(default)]
    pub process_hint: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub supplement_clock: SupplementClock,
    /// Who may file, in plain words ("Cha, mẹ hoặc người thân thích của trẻ").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicants: Option<String>,
    /// How the fee varies with the form (copies, exemptions); the amounts are catalog columns.
    #[serde(default, skip_serializing_if = "crate::fees::FeeRules::is_empty")]
    pub fees: crate::fees::FeeRules,
}

impl ProcedureDefinition {
    /// Indexes (into `components`) of the components the applicant uploads a file for.
    pub fn upload_components(&self) -> impl Iterator<Item = (usize, &Component)> {
        self.components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.source == ComponentSource::Upload)
    }

    /// Registry components fetched for the dossier when it is filed: all but the applicant's own
    /// identity, which is snapshotted when the dossier starts.
    pub fn fetched_components(&self) -> impl Iterator<Item = (usize, &Component)> {
        self.components.iter().enumerate().filter(|(_, c)| {
            c.source.is_registry()
                && (c.source != ComponentSource::PopulationRegistry || c.lookup.is_some())
        })
    }

    /// Names of required upload components that have no file among `attached` (component indexes).
    pub fn missing_uploads(&self, attached: &[usize]) -> Vec<(usize, String)> {
        self.upload_components()
            .filter(|(i, c)| c.required && !attached.contains(i))
            .map(|(i, c)| (i, c.name.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> ProcedureDefinition {
        serde_json::from_str(
            r#"{"components":[
                {"name":"Thông tin nhân thân","required":true,"source":"population_registry"},
                {"name":"Tờ khai","required":true,"source":"form"},
                {"name":"Giấy chứng sinh","required":true,"source":"upload"},
                {"name":"Ảnh","required":false,"source":"upload"}],
              "form_fields":[{"key":"a","label":"A","type":"text","required":true}],
              "result":"Giấy khai sinh"}"#,
        )
        .unwrap()
    }

    #[test]
    fn registry_components_are_never_uploads() {
        let d = def();
        let uploads: Vec<usize> = d.upload_components().map(|(i, _)| i).collect();
        assert_eq!(uploads, vec![2, 3]);
        assert!(d.components[0].source.is_registry());
    }

    #[test]
    fn only_required_uploads_are_missing() {
        let d = def();
        assert_eq!(
            d.missing_uploads(&[]),
            vec![(2, "Giấy chứng sinh".to_string())]
        );
        assert!(d.missing_uploads(&[2]).is_empty());
    }
}
