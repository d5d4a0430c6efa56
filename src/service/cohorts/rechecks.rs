//! What a changed schedule must still satisfy, whether one session was moved by hand
//! (`PATCH /sessions/{id}`) or a closure moved several to the end of their group: the team's
//! rules on every date (qualifications, nobody in two places at once, supervisor load — see
//! `team`), and the crèche on each new date, with each crèche child's age on that date under the
//! EYFS ratios and never more children than the room holds. One function for both, so the two
//! ways of moving a session cannot drift apart.

use super::team;
use crate::db::DbConnection;
use crate::domain::creche::{self, CrecheProblem};
use crate::error::FieldErrors;
use crate::service::ServiceError;
use crate::store::{self, cohorts::Cohort};
use chrono::NaiveDate;

/// One rule the changed schedule breaks: its code (`double_booked`, `supervisor_load`,
/// `paediatric_first_aid`, `creche_ratio`, …) and what breaks it, in a coordinator's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub rule: String,
    pub detail: String,
}

/// Every rule the cohort breaks now that its sessions on `new_dates` (local dates) moved there.
/// Read after the change is written, inside its transaction.
pub(crate) fn after_schedule_change(
    c: &mut DbConnection,
    cohort: &Cohort,
    new_dates: &[NaiveDate],
    supervisor_limit: usize,
) -> Result<Vec<Breach>, ServiceError> {
    let mut out: Vec<Breach> = team::problems_now(c, cohort.id, supervisor_limit)?
        .into_iter()
        .map(|p| Breach {
            rule: p.rule.code().to_string(),
            detail: p.message,
        })
        .collect();
    if let Some(p) = creche_on(c, cohort, new_dates)? {
        out.push(Breach {
            rule: p.rule().to_string(),
            detail: p.to_string(),
        });
    }
    Ok(out)
}

/// Whether the children holding crèche places fit on these dates, each at their age on the
/// date. Only the new dates are checked: the others did not change, and a session moved later
/// can only make the children older (EYFS ratios loosen with age), so what can break is a move
/// earlier, a smaller room or crew — and a date nobody checked before.
fn creche_on(
    c: &mut DbConnection,
    cohort: &Cohort,
    dates: &[NaiveDate],
) -> Result<Option<CrecheProblem>, ServiceError> {
    // Every crèche child was born when booked (the booking refuses a due date), so a missing
    // date of birth is an erased record: nobody to count.
    let births: Vec<Option<NaiveDate>> = store::bookings::confirmed_creche_births(c, cohort.id)?
        .into_iter()
        .flatten()
        .map(Some)
        .collect();
    if births.is_empty() || dates.is_empty() {
        return Ok(None);
    }
    let venue = store::venues::find(c, cohort.venue_id)?
        .ok_or_else(|| ServiceError::Internal("cohort without venue".into()))?;
    Ok(creche::fits(
        &creche::eyfs_ratios(),
        dates,
        &births,
        venue.creche_room_capacity.max(0) as u32,
        cohort.creche_workers.max(0) as u32,
    )
    .err())
}

/// Breaches as a refusal of the whole change: a rule conflict keyed by rule code, as the team's
/// own refusals are.
pub(crate) fn refuse(breaches: Vec<Breach>) -> Result<(), ServiceError> {
    if breaches.is_empty() {
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    for b in &breaches {
        errors
            .entry(b.rule.clone())
            .or_default()
            .push(b.detail.clone());
    }
    let detail = breaches
        .iter()
        .map(|b| b.detail.clone())
        .collect::<Vec<_>>()
        .join("; ");
    Err(ServiceError::RuleConflict { detail, errors })
}
