//! Through which door a dossier came in. The national portal knows three channels (1 in person,
//! 2 online, 3 postal); the field reports also count online dossiers filed by the applicants
//! themselves apart from those an officer or a support point filed for them (DOMAIN.md).

use serde::{Deserialize, Serialize};

/// How a dossier was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingMode {
    /// The applicant filed online on motcua.
    #[serde(rename = "self")]
    SelfFiled,
    /// An officer or a support point filed online for the applicant.
    Assisted,
    /// Filed in person at the one-stop desk; paper components scanned by the officer.
    Counter,
    /// Filed by the applicant on the national public service portal and pulled into motcua.
    NationalPortal,
}

impl FilingMode {
    pub const ALL: [FilingMode; 4] = [
        FilingMode::SelfFiled,
        FilingMode::Assisted,
        FilingMode::Counter,
        FilingMode::NationalPortal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FilingMode::SelfFiled => "self",
            FilingMode::Assisted => "assisted",
            FilingMode::Counter => "counter",
            FilingMode::NationalPortal => "national_portal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Vietnamese label for lists and the dossier page.
    pub fn label(self) -> &'static str {
        match self {
            FilingMode::SelfFiled => "Tự nộp trực tuyến",
            FilingMode::Assisted => "Nộp trực tuyến có hỗ trợ",
            FilingMode::Counter => "Nộp trực tiếp tại Bộ phận Một cửa",
            FilingMode::NationalPortal => "Nộp qua Cổng Dịch vụ công quốc gia",
        }
    }

    /// The national channel code: 1 in person, 2 online.
    pub fn national_channel(self) -> i64 {
        match self {
            FilingMode::Counter => 1,
            FilingMode::SelfFiled | FilingMode::Assisted | FilingMode::NationalPortal => 2,
        }
    }

    /// An official filed it for the applicant.
    pub fn is_on_behalf(self) -> bool {
        matches!(self, FilingMode::Assisted | FilingMode::Counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_channels_follow_the_national_codes() {
        for m in FilingMode::ALL {
            assert_eq!(FilingMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(FilingMode::parse("postal"), None);
        assert_eq!(FilingMode::Counter.national_channel(), 1);
        assert_eq!(FilingMode::Assisted.national_channel(), 2);
        assert!(FilingMode::Assisted.is_on_behalf());
        assert!(!FilingMode::NationalPortal.is_on_behalf());
    }
}
