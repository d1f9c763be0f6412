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
    /// The decision that published this version, when the catalog records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<Publication>,
}

/// The publication decision of a procedure version (quyết định công bố). Decree 63/2010 as
/// amended by Decree 92/2017: it is signed at least 20 working days before the legal text it
/// carries takes effect, and the procedure enters the database within 5 working days of the
/// signature (the two Decision 766 transparency indicators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The decision's number, e.g. `1234/QĐ-UBND`.
    pub decision: String,
    pub signed_on: jiff::civil::Date,
    /// When the legal text carried by the decision takes effect, if known.
    #[serde(default)]
    pub law_effective_on: Option<jiff::civil::Date>,
    /// When the procedure entered the national database of procedures, if known.
    #[serde(default)]
    pub entered_database_on: Option<jiff::civil::Date>,
}

impl Publication {
    /// Whether the decision came early enough before the law took effect, and whether the
    /// procedure entered the database in time; `None` where a date is not recorded.
    pub fn on_time(&self, calendar: &crate::calendar::Calendar) -> (Option<bool>, Option<bool>) {
        use crate::calendar::start_of_day;
        let days = |from, to| calendar.working_days_between(start_of_day(from), start_of_day(to));
        let published = self
            .law_effective_on
            .map(|effective| days(self.signed_on, effective) >= PUBLISH_BEFORE_EFFECT_WORKING_DAYS);
        let entered = self.entered_database_on.map(|entered| {
            entered >= self.signed_on
                && days(self.signed_on, entered) <= ENTER_DATABASE_WITHIN_WORKING_DAYS
        });
        (published, entered)
    }
}

/// Working days a publication decision comes before the law takes effect, at least.
pub const PUBLISH_BEFORE_EFFECT_WORKING_DAYS: u32 = 20;
/// Working days after the signature by which the procedure is in the database.
pub const ENTER_DATABASE_WITHIN_WORKING_DAYS: u32 = 5;

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
    fn publication_on_time_counts_working_days() {
        use crate::calendar::{Calendar, Overrides};
        let cal = Calendar::vietnam(&Overrides::default());
        let d = |m, day| jiff::civil::date(2026, m, day);
        // Signed Thu 1 Oct 2026; 20 working days later is Thu 29 Oct (four weeks, no holiday).
        let p = |effective, entered| Publication {
            decision: "1/QĐ-UBND".into(),
            signed_on: d(10, 1),
            law_effective_on: Some(effective),
            entered_database_on: entered,
        };
        assert_eq!(
            p(d(10, 29), Some(d(10, 8))).on_time(&cal),
            (Some(true), Some(true))
        );
        // 28 Oct is 19 working days on; 9 Oct is the 6th working day after the signature.
        assert_eq!(
            p(d(10, 28), Some(d(10, 9))).on_time(&cal),
            (Some(false), Some(false))
        );
        // Entered before it was signed: not a valid record of timeliness.
        assert_eq!(p(d(10, 29), Some(d(9, 30))).on_time(&cal).1, Some(false));
        let unknown = Publication {
            law_effective_on: None,
            ..p(d(10, 29), None)
        };
        assert_eq!(unknown.on_time(&cal), (None, None));
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
