//! Programmes: two are built in; admins add centres' own and tune the settings of any (completion
//! threshold, when absences open a follow-up, the outcome questionnaires). A programme's shape
//! (sessions, ages, team rules) stays as defined.

use crate::db::{unique_violated, Unique};
use crate::domain::programme::{self, ProgrammeShape};
use crate::error::FieldErrors;
use crate::service::{Actor, ServiceError, Services};
use crate::store::{
    self,
    programmes::{NewProgramme, Programme, Settings},
};

/// Add a centre's own programme.
#[derive(Debug, Clone)]
pub struct AddProgramme {
    /// Trimmed already; outcome measures one per line.
    pub programme: NewProgramme,
    /// What the caller already found wrong in the request (lengths, ranges), answered together
    /// with the rules' own findings.
    pub problems: FieldErrors,
}

/// The settings to change on a programme; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub description: Option<String>,
    /// At most the programme's session count.
    pub completion_threshold: Option<i32>,
    pub follow_up_after_absences: Option<i32>,
    /// Replaces the list of outcome questionnaires.
    pub outcome_measures: Option<Vec<String>>,
    /// When reminders go (`Some(None)`: none).
    pub reminders: Option<Option<crate::domain::message::ReminderRule>>,
}

/// Adds a programme: its code is a slug not yet used, and its shape must make sense (ages,
/// completion within the sessions, the team's qualifications).
pub async fn add_programme(
    services: &Services,
    actor: Actor,
    cmd: AddProgramme,
) -> Result<Programme, ServiceError> {
    let AddProgramme {
        programme: new,
        mut problems,
    } = cmd;
    if !programme::code_ok(&new.code) {
        problems
            .entry("code".into())
            .or_default()
            .push("must be 2–40 lower-case letters, digits or hyphens".into());
    }
    let shape = ProgrammeShape {
        session_count: new.session_count,
        min_age_months: new.min_age_months,
        max_age_months: new.max_age_months,
        completion_threshold: new.completion_threshold,
        lead_qualification: new.lead_qualification.clone(),
        co_facilitator_required: new.co_facilitator_required,
        co_facilitator_qualification: new.co_facilitator_qualification.clone(),
    };
    for (field, msgs) in programme::problems(&shape) {
        problems.entry(field).or_default().extend(msgs);
    }
    ServiceError::check_fields(problems)?;
    services
        .write(actor, move |tx| {
            store::programmes::insert(tx.conn, &new, tx.now_naive()).map_err(|e| {
                match unique_violated(&e) {
                    Some(Unique::ProgrammeCode) => ServiceError::Conflict(format!(
                        "a programme with code {:?} already exists",
                        new.code
                    )),
                    _ => e.into(),
                }
            })
        })
        .await
}

/// Changes a programme's settings (built-in ones included); the public listing shows them.
pub async fn change_settings(
    services: &Services,
    actor: Actor,
    code: String,
    change: SettingsChange,
) -> Result<Programme, ServiceError> {
    services
        .write(actor, move |tx| {
            let p = store::programmes::find_by_code(tx.conn, &code)?
                .ok_or_else(|| ServiceError::not_found("programme"))?;
            let completion = change
                .completion_threshold
                .unwrap_or(p.completion_threshold);
            if completion > p.session_count {
                return Err(ServiceError::field(
                    "completion_threshold",
                    format!("must be at most the {} sessions", p.session_count),
                ));
            }
            let measures = match &change.outcome_measures {
                Some(m) => m.iter().map(|m| m.trim()).collect::<Vec<_>>().join("\n"),
                None => p.outcome_measures.clone(),
            };
            let settings = Settings {
                description: change
                    .description
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(&p.description)
                    .to_string(),
                completion_threshold: completion,
                follow_up_after_absences: change
                    .follow_up_after_absences
                    .unwrap_or(p.follow_up_after_absences),
                outcome_measures: measures,
                reminders: change.reminders.unwrap_or(p.reminder_rule()),
            };
            let changed = store::programmes::update_settings(tx.conn, p.id, &settings)?;
            tx.listing_changed();
            Ok(changed)
        })
        .await
}
