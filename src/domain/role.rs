//! Who someone is to the service. Staff see only what their role needs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Facilitator,
    Parent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Facilitator => "facilitator",
            Role::Parent => "parent",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "facilitator" => Some(Role::Facilitator),
            "parent" => Some(Role::Parent),
            _ => None,
        }
    }

    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in [
            Role::Admin,
            Role::Coordinator,
            Role::Facilitator,
            Role::Parent,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert!(!Role::Parent.is_staff());
        assert!(Role::Facilitator.is_staff());
    }
}
