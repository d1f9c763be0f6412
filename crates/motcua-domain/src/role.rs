//! Who a signed-in person is, for the purpose of deciding what they may do.

use serde::{Deserialize, Serialize};

/// The roles of DOMAIN.md's glossary. An official holds exactly one role in one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    IntakeOfficer,
    Specialist,
    Leader,
    Admin,
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Citizen,
        Role::IntakeOfficer,
        Role::Specialist,
        Role::Leader,
        Role::Admin,
        Role::Supervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::IntakeOfficer => "intake_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Vietnamese name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Citizen => "Người dân, doanh nghiệp",
            Role::IntakeOfficer => "Công chức tiếp nhận",
            Role::Specialist => "Chuyên viên xử lý",
            Role::Leader => "Lãnh đạo",
            Role::Admin => "Quản trị hệ thống",
            Role::Supervisor => "Giám sát",
        }
    }

    /// Officials act for an agency; citizens act for themselves.
    pub fn is_official(self) -> bool {
        matches!(self, Role::IntakeOfficer | Role::Specialist | Role::Leader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
