//! Who needs to know a child's care details, and who may collect a child from the crèche.
//!
//! Need to know: coordinators, and the lead and crèche workers of a cohort where the child has a
//! crèche place, read the details (allergies, health, medicines, whom to call, who may collect);
//! the co-facilitators there learn only that the child has care notes; anyone else, nothing.
//!
//! Collection: a child goes home with one of the family's carers, or with someone the parent
//! listed as allowed to collect (giving the collection password when the parent set one).
//! Anyone else is refused, unless a coordinator lets them, giving a reason.

/// How much of a child's care details a member of a cohort's team sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareView {
    Details,
    /// Only whether there is anything to know.
    FlagOnly,
}

/// The view a member of staff holding these roles on the child's cohorts gets; `None` when
/// they have no part in looking after the child.
pub fn care_view<S: AsRef<str>>(team_roles: &[S]) -> Option<CareView> {
    let has = |r: &str| team_roles.iter().any(|x| x.as_ref() == r);
    if has("lead") || has("creche_worker") {
        Some(CareView::Details)
    } else if has("co_facilitator") {
        Some(CareView::FlagOnly)
    } else {
        None
    }
}

/// Someone a parent listed as allowed to collect their child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub id: i32,
    pub needs_password: bool,
}

/// On whose authority a child was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// One of the family's carers.
    Carer,
    /// Someone the parent listed (with the password, when one was set).
    Listed(i32),
    /// Someone not on the list, let by a coordinator for the reason given.
    Override,
}

/// Why a collection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The collector named is not on this child's list.
    UnknownCollector,
    /// The parent set a collection password and none was given.
    PasswordNeeded,
    WrongPassword,
    /// Neither a carer nor someone listed.
    NotOnList,
    /// Only a coordinator may let someone not on the list collect a child.
    OverrideNotAllowed,
}

impl Refusal {
    /// The field of the sign-out the refusal is about.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::UnknownCollector => "collector_id",
            Refusal::PasswordNeeded | Refusal::WrongPassword => "collection_password",
            Refusal::NotOnList => "collected_by",
            Refusal::OverrideNotAllowed => "override_reason",
        }
    }

    /// In plain words, for the crèche worker at the door.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::UnknownCollector => {
                "is not one of the people the parents said may collect this child"
            }
            Refusal::PasswordNeeded => {
                "the parents set a collection password for this person: ask them for it"
            }
            Refusal::WrongPassword => {
                "is not the collection password the parents set: do not hand the child over; \
                 call the parents or a coordinator"
            }
            Refusal::NotOnList => {
                "is not a carer of this family nor on the child's list of people who may collect: \
                 do not hand the child over; a coordinator can allow it, giving a reason"
            }
            Refusal::OverrideNotAllowed => {
                "only a coordinator can let someone not on the list collect a child"
            }
        }
    }
}

/// A collection as asked at the crèche door.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The listed collector chosen, if any.
    pub collector_id: Option<i32>,
    /// Whether the collection password given matches the collector's (checked by the caller,
    /// who holds the hash); `None` when no password was given.
    pub password_matches: Option<bool>,
    /// The name typed, when no listed collector was chosen.
    pub collected_by: &'a str,
    /// A coordinator's reason to let someone not on the list collect the child.
    pub override_reason: &'a str,
    /// Whether the person signing out is a coordinator.
    pub by_coordinator: bool,
}

/// Whether the child may go home with the person asked: one of the carers named, someone
/// listed, or (a coordinator's decision, with a reason) someone else.
pub fn collection(
    asked: Asked<'_>,
    carers: &[&str],
    listed: &[Listed],
) -> Result<Collection, Refusal> {
    let refused = match asked.collector_id {
        Some(id) => match listed.iter().find(|l| l.id == id) {
            None => Refusal::UnknownCollector,
            Some(l) if !l.needs_password => return Ok(Collection::Listed(id)),
            Some(_) => match asked.password_matches {
                Some(true) => return Ok(Collection::Listed(id)),
                Some(false) => Refusal::WrongPassword,
                None => Refusal::PasswordNeeded,
            },
        },
        None if carers
            .iter()
            .any(|c| !c.trim().is_empty() && same_name(c, asked.collected_by)) =>
        {
            return Ok(Collection::Carer)
        }
        None => Refusal::NotOnList,
    };
    match (
        asked.override_reason.trim().is_empty(),
        asked.by_coordinator,
    ) {
        (true, _) => Err(refused),
        (false, true) => Ok(Collection::Override),
        (false, false) => Err(Refusal::OverrideNotAllowed),
    }
}

/// Names compared as people write them: case and spacing aside.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked<'a>(collector_id: Option<i32>, name: &'a str) -> Asked<'a> {
        Asked {
            collector_id,
            password_matches: None,
            collected_by: name,
            override_reason: "",
            by_coordinator: false,
        }
    }

    const CARERS: [&str; 2] = ["Amara Okafor", ""];
    const LISTED: [Listed; 2] = [
        Listed {
            id: 7,
            needs_password: false,
        },
        Listed {
            id: 8,
            needs_password: true,
        },
    ];

    #[test]
    fn lead_and_creche_workers_read_details_co_facilitators_the_flag() {
        assert_eq!(care_view(&["lead"]), Some(CareView::Details));
        assert_eq!(
            care_view(&["co_facilitator", "creche_worker"]),
            Some(CareView::Details)
        );
        assert_eq!(care_view(&["co_facilitator"]), Some(CareView::FlagOnly));
        assert_eq!(care_view(&["supervisor"]), None);
        assert_eq!(care_view::<&str>(&[]), None);
    }

    #[test]
    fn a_carer_collects_by_name_whatever_the_case_and_spacing() {
        let ok = collection(asked(None, "  amara   OKAFOR "), &CARERS, &LISTED);
        assert_eq!(ok, Ok(Collection::Carer));
        // An empty second carer is nobody: an empty name is not on the list.
        assert_eq!(
            collection(asked(None, ""), &CARERS, &LISTED),
            Err(Refusal::NotOnList)
        );
        assert_eq!(
            collection(asked(None, "Amara"), &CARERS, &LISTED),
            Err(Refusal::NotOnList),
            "a first name alone could be anyone's"
        );
    }

    #[test]
    fn a_listed_collector_needs_the_password_when_the_parents_set_one() {
        assert_eq!(
            collection(asked(Some(7), ""), &CARERS, &LISTED),
            Ok(Collection::Listed(7))
        );
        assert_eq!(
            collection(asked(Some(8), ""), &CARERS, &LISTED),
            Err(Refusal::PasswordNeeded)
        );
        let wrong = Asked {
            password_matches: Some(false),
            ..asked(Some(8), "")
        };
        assert_eq!(
            collection(wrong, &CARERS, &LISTED),
            Err(Refusal::WrongPassword)
        );
        let right = Asked {
            password_matches: Some(true),
            ..asked(Some(8), "")
        };
        assert_eq!(
            collection(right, &CARERS, &LISTED),
            Ok(Collection::Listed(8))
        );
        assert_eq!(
            collection(asked(Some(9), ""), &CARERS, &LISTED),
            Err(Refusal::UnknownCollector)
        );
    }

    #[test]
    fn only_a_coordinator_with_a_reason_overrides() {
        let stranger = asked(None, "Someone Else");
        let reason = Asked {
            override_reason: "grandmother, parent phoned",
            ..stranger
        };
        assert_eq!(
            collection(reason, &CARERS, &LISTED),
            Err(Refusal::OverrideNotAllowed)
        );
        let coordinator = Asked {
            by_coordinator: true,
            ..reason
        };
        assert_eq!(
            collection(coordinator, &CARERS, &LISTED),
            Ok(Collection::Override)
        );
        let no_reason = Asked {
            by_coordinator: true,
            override_reason: "  ",
            ..stranger
        };
        assert_eq!(
            collection(no_reason, &CARERS, &LISTED),
            Err(Refusal::NotOnList)
        );
        // A wrong password is overridden the same way, never silently.
        let wrong = Asked {
            password_matches: Some(false),
            override_reason: "parent on the phone",
            by_coordinator: true,
            ..asked(Some(8), "")
        };
        assert_eq!(
            collection(wrong, &CARERS, &LISTED),
            Ok(Collection::Override)
        );
    }
}
