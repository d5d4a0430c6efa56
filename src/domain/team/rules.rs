//! The rules a team can break, and the [`Problem`] that reports a breach to a coordinator.

use super::Person;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    LeadMissing,
    LeadQualification,
    CoFacilitatorMissing,
    CoFacilitatorQualification,
    CrecheWorkers,
    PaediatricFirstAid,
    DoubleBooked,
    SupervisorQualification,
    SupervisorLoad,
    SamePersonTwice,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::LeadMissing,
        Rule::LeadQualification,
        Rule::CoFacilitatorMissing,
        Rule::CoFacilitatorQualification,
        Rule::CrecheWorkers,
        Rule::PaediatricFirstAid,
        Rule::DoubleBooked,
        Rule::SupervisorQualification,
        Rule::SupervisorLoad,
        Rule::SamePersonTwice,
    ];

    /// The stable code the API keys its errors by.
    pub fn code(&self) -> &'static str {
        match self {
            Rule::LeadMissing => "lead_missing",
            Rule::LeadQualification => "lead_qualification",
            Rule::CoFacilitatorMissing => "co_facilitator_missing",
            Rule::CoFacilitatorQualification => "co_facilitator_qualification",
            Rule::CrecheWorkers => "creche_workers",
            Rule::PaediatricFirstAid => "paediatric_first_aid",
            Rule::DoubleBooked => "double_booked",
            Rule::SupervisorQualification => "supervisor_qualification",
            Rule::SupervisorLoad => "supervisor_load",
            Rule::SamePersonTwice => "same_person_twice",
        }
    }

    /// Rules about a team not being complete yet: a draft may be saved with them broken (people
    /// are still being found), a cohort may not be published, or stay published, so.
    pub fn is_about_completeness(&self) -> bool {
        matches!(
            self,
            Rule::LeadMissing
                | Rule::CoFacilitatorMissing
                | Rule::CrecheWorkers
                | Rule::PaediatricFirstAid
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: Rule,
    pub person_id: Option<i32>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub(super) fn problem(rule: Rule, person: Option<&Person>, message: String) -> Problem {
    Problem {
        rule,
        person_id: person.map(|p| p.id),
        message,
    }
}
