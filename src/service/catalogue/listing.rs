//! The public listing's rules: which groups are listed (published, not finished, matching the
//! filter), in what order, and until when that answer holds by the clock alone. The API renders
//! the rows (JSON, iCalendar) and keeps them in its cache until then. The iCalendar feed also
//! carries groups cancelled after publishing, until their planned end (`with_cancelled`), so
//! subscribed calendars see their events cancelled.

use crate::db::DbConnection;
use crate::domain::cohort as rules;
use crate::domain::status::CohortStatus;
use crate::service::schedule::{creche_out, last_end, planned_end, zone};
use crate::service::ServiceError;
use crate::store::{self, cohorts::Cohort, cohorts::Session, programmes::Programme, venues::Venue};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// What a centre website may ask the listing for (all optional; checked by the API).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The ward's stored key, e.g. `lambeth-2014:Stockwell`.
    pub ward: Option<String>,
    pub venue_id: Option<i32>,
    pub programme: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub has_places: Option<bool>,
    pub has_creche: Option<bool>,
    /// Also the cohorts cancelled after they were published, until their planned last session
    /// would have ended (`domain::cohort::in_public_feed`): the iCalendar feed, whose
    /// subscribers must see their events cancelled. Not a query parameter.
    pub with_cancelled: bool,
    /// One group only (its own page). Not a query parameter.
    pub cohort_id: Option<i32>,
}

/// A listed cohort: with its programme, venue, sessions and the crèche children booked. (No
/// one's name: the team is the centre's staff, not the public's to look up.)
#[derive(Debug, Clone)]
pub struct Listed {
    pub cohort: Cohort,
    pub programme: Programme,
    pub venue: Venue,
    pub sessions: Vec<Session>,
    /// Dates of birth of the children holding crèche places.
    pub creche_births: Vec<NaiveDate>,
}

/// Published cohorts that have not finished (and with `with_cancelled`, those cancelled since
/// that are still in the feed), matching the filter, by first session; and the instant until
/// which, clock-wise, that answer stays true (see `settled_until`).
/// Runs on the blocking pool with the rendering: it is CPU work for every published group,
/// which on an async worker would stall every connection that worker holds.
pub fn published_groups(
    c: &mut DbConnection,
    f: &Filter,
    now: DateTime<Utc>,
) -> Result<(Vec<Listed>, DateTime<Utc>), ServiceError> {
    let statuses: &[CohortStatus] = if f.with_cancelled {
        &[CohortStatus::Published, CohortStatus::Cancelled]
    } else {
        &[CohortStatus::Published]
    };
    let only = f.cohort_id.map(|id| vec![id]);
    let live = Some(now.naive_utc());
    let rows = store::cohorts::list_full(c, Some(statuses), only.as_deref(), live)?;
    let ids: Vec<i32> = rows.iter().map(|(co, _, _)| co.id).collect();
    let mut sessions = store::cohorts::sessions_of_many(c, &ids)?;
    let mut booked = store::bookings::confirmed_creche_births_many(c, &ids)?;
    let rows: Vec<Listed> = rows
        .into_iter()
        .map(|(cohort, programme, venue)| Listed {
            sessions: sessions.remove(&cohort.id).unwrap_or_default(),
            creche_births: booked.remove(&cohort.id).unwrap_or_default(),
            cohort,
            programme,
            venue,
        })
        .collect();
    let until = settled_until(&rows, now);
    let mut out: Vec<Listed> = rows
        .into_iter()
        .filter(|l| {
            rules::in_public_feed(
                l.cohort.status,
                l.cohort.published_at.is_some(),
                last_end(&l.sessions),
                planned_end(&l.sessions),
                now,
            )
        })
        .filter(|l| f.ward.as_ref().is_none_or(|w| &l.venue.ward == w))
        .filter(|l| f.venue_id.is_none_or(|id| l.cohort.venue_id == id))
        .filter(|l| {
            f.programme
                .as_ref()
                .is_none_or(|code| &l.programme.code == code)
        })
        .filter(|l| {
            let tz = zone(&l.cohort);
            // A cancelled group is found by the dates it had.
            let cancelled = l.cohort.status == CohortStatus::Cancelled;
            let dates: Vec<NaiveDate> = l
                .sessions
                .iter()
                .filter(|s| cancelled || !s.is_cancelled())
                .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
                .collect();
            let (first, last) = (dates.iter().min().copied(), dates.iter().max().copied());
            f.from.is_none_or(|from| last.is_some_and(|l| l >= from))
                && f.to.is_none_or(|to| first.is_some_and(|d| d <= to))
        })
        .filter(|l| !f.has_places.unwrap_or(false) || l.cohort.places > l.cohort.confirmed_count)
        .filter(|l| {
            !f.has_creche.unwrap_or(false)
                || creche_out(&l.cohort, &l.venue, &l.sessions, &l.creche_births).places_left > 0
        })
        .collect();
    out.sort_by_key(|l| (first_start(&l.sessions), l.cohort.id));
    Ok((out, until))
}

/// The first instant after `now` at which the clock alone changes a listing of these
/// cohorts: a group's last session ending (it is then completed; a cancelled group's planned
/// last session, when it leaves the feed) or a local midnight in a group's time zone (booking
/// windows are by date). Filters only drop rows, so this bounds every filtered listing too.
fn settled_until(rows: &[Listed], now: DateTime<Utc>) -> DateTime<Utc> {
    rows.iter().fold(now + Duration::days(1), |until, l| {
        let end = if l.cohort.status == CohortStatus::Cancelled {
            planned_end(&l.sessions)
        } else {
            last_end(&l.sessions)
        };
        let ends = end.filter(|end| *end > now).unwrap_or(until);
        until.min(ends).min(next_midnight(zone(&l.cohort), now))
    })
}

fn next_midnight(tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.with_timezone(&tz).date_naive() + Duration::days(1);
    tz.from_local_datetime(&tomorrow.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // Midnight skipped by a clock change: check again soon rather than work it out.
        .unwrap_or(now + Duration::minutes(1))
}

fn first_start(sessions: &[Session]) -> Option<DateTime<Utc>> {
    sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .map(|s| s.starts_at.and_utc())
        .min()
}

/// Why a week of a group's run has no group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoGroup {
    BankHoliday,
    /// The venue (or every venue) is closed that day.
    Closed,
    /// Otherwise (a session moved to the end of the course for a reason no longer recorded).
    Other,
}

/// One line of a group's dates as families read them.
#[derive(Debug, Clone)]
pub enum GroupDate {
    Session(Session),
    /// A week in the run with no group, on the day it would have met.
    NoGroup(NaiveDate, NoGroup),
}

/// A listed group's dates in order: its sessions (cancelled ones too, which say so) and the
/// weeks between them with no group, each with its reason.
pub fn group_dates(c: &mut DbConnection, l: &Listed) -> Result<Vec<GroupDate>, ServiceError> {
    let tz = zone(&l.cohort);
    let local = |s: &Session| s.starts_at.and_utc().with_timezone(&tz).date_naive();
    let held: Vec<NaiveDate> = l
        .sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .map(local)
        .collect();
    let gaps = crate::domain::calendar::weeks_without(&held);
    let mut out: Vec<(NaiveDate, GroupDate)> = l
        .sessions
        .iter()
        .map(|s| (local(s), GroupDate::Session(s.clone())))
        .collect();
    if let (Some(first), Some(last)) = (gaps.first(), gaps.last()) {
        let changes = store::closures::holiday_changes(c)?;
        let holidays: Vec<NaiveDate> =
            crate::domain::calendar::bank_holidays_between(*first, *last, &changes)
                .into_iter()
                .map(|h| h.date)
                .collect();
        let closures = store::closures::overlapping(c, *first, *last, Some(l.venue.id))?;
        for day in gaps {
            // A cancelled session already says so on its own line.
            if out.iter().any(|(d, _)| *d == day) {
                continue;
            }
            let why = if holidays.contains(&day) {
                NoGroup::BankHoliday
            } else if closures
                .iter()
                .any(|k| k.from_date <= day && day <= k.to_date)
            {
                NoGroup::Closed
            } else {
                NoGroup::Other
            };
            out.push((day, GroupDate::NoGroup(day, why)));
        }
    }
    out.sort_by_key(|(d, g)| (*d, matches!(g, GroupDate::NoGroup(..))));
    Ok(out.into_iter().map(|(_, g)| g).collect())
}
