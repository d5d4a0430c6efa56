//! Monitoring figures over a period, as pure arithmetic over facts the store loaded. The facts
//! carry ids, wards and referral sources but never a name or contact, so erasing a family (which
//! keeps those) changes no figure. Rows are keyed by the cohort's programme, venue or month, or by
//! the family's ward or referral source; each row, and the total, counts a family once.

pub mod columns;
pub mod csv;
pub mod disclosure;
mod figures;
mod id_set;

pub use figures::build;

use crate::domain::monitoring::{Breakdown, Profile};
use crate::domain::register::PairSummary;
use crate::domain::status::BookingStatus;
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Programme,
    Venue,
    Ward,
    ReferralSource,
    Month,
    /// By what the family told us about itself, or where it lives (`domain::monitoring`).
    Family(Breakdown),
}

impl GroupBy {
    pub const ALL: [GroupBy; 13] = [
        GroupBy::Programme,
        GroupBy::Venue,
        GroupBy::Ward,
        GroupBy::ReferralSource,
        GroupBy::Month,
        GroupBy::Family(Breakdown::Ethnicity),
        GroupBy::Family(Breakdown::Language),
        GroupBy::Family(Breakdown::FatherInvolved),
        GroupBy::Family(Breakdown::TeenParent),
        GroupBy::Family(Breakdown::LoneParent),
        GroupBy::Family(Breakdown::Disability),
        GroupBy::Family(Breakdown::Send),
        GroupBy::Family(Breakdown::ImdDecile),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Programme => "programme",
            GroupBy::Venue => "venue",
            GroupBy::Ward => "ward",
            GroupBy::ReferralSource => "referral_source",
            GroupBy::Month => "month",
            GroupBy::Family(b) => match b {
                Breakdown::Ethnicity => "ethnicity",
                Breakdown::Language => "language",
                Breakdown::FatherInvolved => "father_involved",
                Breakdown::TeenParent => "teen_parent",
                Breakdown::LoneParent => "lone_parent",
                Breakdown::Disability => "disability",
                Breakdown::Send => "send",
                Breakdown::ImdDecile => "imd_decile",
            },
        }
    }

    pub fn parse(s: &str) -> Option<GroupBy> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// Rows by what a family told us (the monitoring answers must be read).
    pub fn reads_answers(self) -> bool {
        matches!(self, GroupBy::Family(b) if b.from_answers())
    }

    /// Rows split by an attribute of the family: a cohort cannot be split that way, so cohort
    /// counts (run, cancelled, sessions delivered) are left out of such rows.
    pub fn by_family(self) -> bool {
        matches!(
            self,
            GroupBy::Ward | GroupBy::ReferralSource | GroupBy::Family(_)
        )
    }
}

/// The row of families without a recorded ward.
pub const UNKNOWN_WARD: &str = "unknown";

/// (ever confirmed, ever waitlisted) from a booking's stored history. A booking is inserted
/// `confirmed` with `confirmed_at = created_at`, or `waitlisted` with no `confirmed_at`;
/// promotion sets `confirmed_at` later; cancelling or withdrawing keeps `confirmed_at`. So a
/// booking waited if it is waiting, was promoted (`confirmed_at > created_at`), or ended without
/// ever being confirmed. (A promotion in the very microsecond of booking cannot be told apart.)
pub fn booking_history(
    status: BookingStatus,
    created_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
) -> (bool, bool) {
    let confirmed = confirmed_at.is_some()
        || matches!(status, BookingStatus::Confirmed | BookingStatus::Withdrawn);
    let waitlisted = status == BookingStatus::Waitlisted
        || match confirmed_at {
            Some(at) => at > created_at,
            None => status.is_ended(),
        };
    (confirmed, waitlisted)
}

/// A session's stored span (UTC), whether it was cancelled, and whether it is a group session
/// (not a pre- or post-group meeting).
#[derive(Debug, Clone, Copy)]
pub struct SessionSpan {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub cancelled: bool,
    pub group: bool,
}

impl SessionSpan {
    /// Held: not cancelled and started by `now`. (`store::reports` counts marks by the same rule in
    /// SQL, so as not to read each one.)
    pub fn delivered(&self, now: NaiveDateTime) -> bool {
        !self.cancelled && self.starts_at <= now
    }
}

/// When a cohort ran, as the report sees it. Only group sessions count here: a programme of
/// eight sessions delivers eight, whatever meetings come before or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// Local date of the first group session not cancelled (the planned first date when none is
    /// left): the date that puts a cohort in a period and a month.
    pub date: NaiveDate,
    /// Group sessions held.
    pub delivered: i64,
    /// Its last group session not cancelled has ended.
    pub ended: bool,
}

pub fn timing(spans: &[SessionSpan], tz: Tz, planned: NaiveDate, now: NaiveDateTime) -> Timing {
    let held = || spans.iter().filter(|s| s.group && !s.cancelled);
    Timing {
        date: held()
            .map(|s| s.starts_at)
            .min()
            .map_or(planned, |t| t.and_utc().with_timezone(&tz).date_naive()),
        delivered: held().filter(|s| s.delivered(now)).count() as i64,
        ended: held()
            .map(|s| s.ends_at)
            .max()
            .is_some_and(|end| end <= now),
    }
}

pub fn in_period(date: NaiveDate, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    from.is_none_or(|f| date >= f) && to.is_none_or(|t| date <= t)
}

pub fn month(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

#[derive(Debug, Clone)]
pub struct CohortFact {
    pub programme: String,
    pub venue: String,
    pub month: String,
    pub cancelled: bool,
    pub completion_threshold: i32,
    pub delivered: i64,
    pub ended: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct SessionFact {
    pub cohort_id: i32,
    /// A group session (not a pre- or post-group meeting): only these count to completion.
    pub group: bool,
    pub delivered: bool,
    /// Its local date.
    pub date: NaiveDate,
}

/// One week's marks (at sessions held), from its Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekAttendance {
    pub monday: NaiveDate,
    pub attended: i64,
    pub recorded: i64,
}

/// Marks at the sessions held, week by week (Monday to Sunday, local dates), weeks without
/// marks left out.
pub fn attendance_by_week(f: &Facts) -> Vec<WeekAttendance> {
    use chrono::Datelike;
    let mut weeks: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    for (sid, tally) in &f.session_marks {
        let Some(s) = f.sessions.get(sid).filter(|s| s.delivered) else {
            continue;
        };
        let monday =
            s.date - chrono::Duration::days(s.date.weekday().num_days_from_monday().into());
        let week = weeks.entry(monday).or_default();
        week.0 += tally.attended;
        week.1 += tally.recorded;
    }
    weeks
        .into_iter()
        .map(|(monday, (attended, recorded))| WeekAttendance {
            monday,
            attended,
            recorded,
        })
        .collect()
}

/// Marks counted: all recorded, those attended (present or late, `Mark::attended`), and those
/// attended at group sessions (what completion counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub recorded: i64,
    pub attended: i64,
    pub attended_group: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct BookingFact {
    pub cohort_id: i32,
    pub family_id: i32,
    pub confirmed: bool,
    pub waitlisted: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FamilyFact {
    /// `boundary-set:Ward` as stored; empty when not known.
    pub ward: String,
    pub referral_source: String,
    /// What the family told us about itself, its children's SEND answers and its IMD decile.
    pub profile: Profile,
    /// Its children (born or expected), by id.
    pub children: Vec<i32>,
}

/// Everything the figures are computed from, for the cohorts in the period.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub cohorts: BTreeMap<i32, CohortFact>,
    pub sessions: BTreeMap<i32, SessionFact>,
    pub bookings: BTreeMap<i32, BookingFact>,
    pub families: BTreeMap<i32, FamilyFact>,
    /// The marks of each booking at the sessions held (`SessionSpan::delivered`), counted as
    /// they are written: a borough's year holds hundreds of thousands.
    pub marks: Vec<(i32, Tally)>,
    /// The marks by session, all sessions, when asked for (attendance week by week keeps the
    /// sessions held).
    pub session_marks: Vec<(i32, Tally)>,
    /// (session, booking, child) crèche sign-ins
    pub creche: Vec<(i32, i32, i32)>,
    /// (session, booking) of each incident recorded in the crèche
    pub incidents: Vec<(i32, i32)>,
    /// (session, family) one-off visitors: present at one session, holding no place
    pub visitors: Vec<(i32, i32)>,
    /// (cohort, family, outcome once closed)
    pub follow_ups: Vec<(i32, i32, Option<String>)>,
    /// (booking, measure, is the pre score, score)
    pub scores: Vec<(i32, String, bool, f64)>,
    /// The report's year (of its last day, else today's): who counts as a teenage parent.
    pub year: i32,
    /// Children under five living in each ward (its key), where the population is loaded.
    pub under_fives: BTreeMap<String, i64>,
}

/// One row of the report. Cohort counts are `None` in rows split by family attribute.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    pub cohorts_run: Option<i64>,
    pub cohorts_cancelled: Option<i64>,
    pub sessions_delivered: Option<i64>,
    pub families_booked: i64,
    pub families_reached: i64,
    pub children_in_creche: i64,
    pub creche_incidents: i64,
    pub marks_attended: i64,
    pub marks_recorded: i64,
    pub attendance_rate: Option<f64>,
    pub visitor_attendances: i64,
    pub completion_eligible: i64,
    pub completed: i64,
    pub completion_rate: Option<f64>,
    pub families_waitlisted: i64,
    pub families_never_offered: i64,
    pub follow_ups_opened: i64,
    pub follow_ups_open: i64,
    pub follow_up_outcomes: BTreeMap<String, i64>,
    pub outcome_pairs: BTreeMap<String, PairSummary>,
    pub children_reached: i64,
    pub under_fives: Option<i64>,
    pub families_reached_in_area: i64,
    pub children_reached_in_area: i64,
    pub families_reach_rate: Option<f64>,
    pub children_reach_rate: Option<f64>,
    pub families_reached_decile_known: i64,
    pub families_reached_most_deprived: i64,
    pub most_deprived_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// (group key, figures), in key order.
    pub groups: Vec<(String, Figures)>,
    pub total: Figures,
}

#[cfg(test)]
mod tests;
