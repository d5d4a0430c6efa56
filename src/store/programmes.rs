//! Programmes: the kinds of group (Together Time, COSP, and centres' own).

use crate::db::schema::programmes;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Programme {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub description: String,
    pub session_count: i32,
    pub session_minutes: i32,
    pub min_age_months: i32,
    pub max_age_months: i32,
    pub pregnancy_eligible: bool,
    pub creche_provided: bool,
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
    pub completion_threshold: i32,
    pub built_in: bool,
    pub created_at: NaiveDateTime,
    /// Unexplained absences in a row that open a follow-up; apologies in a row open one at the
    /// same count (never fewer than two), and the two kinds are not added up.
    pub follow_up_after_absences: i32,
    /// The outcome questionnaires the programme uses, one per line.
    pub outcome_measures: String,
    /// Days before each session its reminder goes (`None`: no reminders).
    pub reminder_days_before: Option<i32>,
    /// The local time reminders go at.
    pub reminder_time: chrono::NaiveTime,
}

impl Programme {
    /// When this programme reminds families of a session, if it does.
    pub fn reminder_rule(&self) -> Option<crate::domain::message::ReminderRule> {
        self.reminder_days_before
            .map(|d| crate::domain::message::ReminderRule {
                days_before: d.clamp(0, 14) as u32,
                at: self.reminder_time,
            })
    }

    pub fn measures(&self) -> Vec<String> {
        self.outcome_measures
            .lines()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(String::from)
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub code: String,
    pub name: String,
    pub description: String,
    pub session_count: i32,
    pub session_minutes: i32,
    pub min_age_months: i32,
    pub max_age_months: i32,
    pub pregnancy_eligible: bool,
    pub creche_provided: bool,
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
    pub completion_threshold: i32,
    pub follow_up_after_absences: i32,
    /// One measure per line.
    pub outcome_measures: String,
    /// When reminders go (`None`: no reminders).
    pub reminders: Option<crate::domain::message::ReminderRule>,
}

/// Inserts a centre's own programme; a duplicate code is a UniqueViolation error.
pub fn insert(
    conn: &mut DbConnection,
    p: &NewProgramme,
    now: NaiveDateTime,
) -> QueryResult<Programme> {
    diesel::insert_into(programmes::table)
        .values((
            programmes::code.eq(&p.code),
            programmes::reminder_days_before.eq(p.reminders.map(|r| r.days_before as i32)),
            programmes::reminder_time.eq(p.reminders.map(|r| r.at).unwrap_or_default()),
            programmes::name.eq(&p.name),
            programmes::description.eq(&p.description),
            programmes::session_count.eq(p.session_count),
            programmes::session_minutes.eq(p.session_minutes),
            programmes::min_age_months.eq(p.min_age_months),
            programmes::max_age_months.eq(p.max_age_months),
            programmes::pregnancy_eligible.eq(p.pregnancy_eligible),
            programmes::creche_provided.eq(p.creche_provided),
            programmes::lead_qualification.eq(&p.lead_qualification),
            programmes::co_facilitator_required.eq(p.co_facilitator_required),
            programmes::co_facilitator_qualification.eq(&p.co_facilitator_qualification),
            programmes::completion_threshold.eq(p.completion_threshold),
            programmes::built_in.eq(false),
            programmes::follow_up_after_absences.eq(p.follow_up_after_absences),
            programmes::outcome_measures.eq(&p.outcome_measures),
            programmes::created_at.eq(now),
        ))
        .returning(programmes::all_columns)
        .get_result(conn)
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Programme>> {
    programmes::table
        .order((programmes::built_in.desc(), programmes::name))
        .load(conn)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Programme>> {
    programmes::table
        .filter(programmes::code.eq(code))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Programme>> {
    programmes::table.find(id).first(conn).optional()
}

/// The settings a centre tunes on any programme, built-in ones included.
pub struct Settings {
    pub description: String,
    pub completion_threshold: i32,
    pub follow_up_after_absences: i32,
    /// One measure per line.
    pub outcome_measures: String,
    /// When reminders go (`None`: no reminders).
    pub reminders: Option<crate::domain::message::ReminderRule>,
}

pub fn update_settings(conn: &mut DbConnection, id: i32, s: &Settings) -> QueryResult<Programme> {
    diesel::update(programmes::table.find(id))
        .set((
            programmes::description.eq(&s.description),
            programmes::completion_threshold.eq(s.completion_threshold),
            programmes::follow_up_after_absences.eq(s.follow_up_after_absences),
            programmes::outcome_measures.eq(&s.outcome_measures),
            programmes::reminder_days_before.eq(s.reminders.map(|r| r.days_before as i32)),
            programmes::reminder_time.eq(s.reminders.map(|r| r.at).unwrap_or_default()),
        ))
        .returning(programmes::all_columns)
        .get_result(conn)
}
