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
}

/// A listed cohort: with its programme, venue, sessions and the crèche children booked.
pub type Listed = (Cohort, Programme, Venue, Vec<Session>, Vec<NaiveDate>);

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
    let rows = store::cohorts::list_full(c, Some(statuses), None)?;
    let ids: Vec<i32> = rows.iter().map(|(co, _, _)| co.id).collect();
    let mut sessions = store::cohorts::sessions_of_many(c, &ids)?;
    let mut booked = store::bookings::confirmed_creche_births_many(c, &ids)?;
    let rows: Vec<Listed> = rows
        .into_iter()
        .map(|(co, p, v)| {
            let s = sessions.remove(&co.id).unwrap_or_default();
            let b = booked.remove(&co.id).unwrap_or_default();
            (co, p, v, s, b)
        })
        .collect();
    let until = settled_until(&rows, now);
    let mut out: Vec<_> = rows
        .into_iter()
        .filter(|(c, _, _, s, _)| {
            rules::in_public_feed(
                c.status,
                c.published_at.is_some(),
                last_end(s),
                planned_end(s),
                now,
            )
        })
        .filter(|(_, _, v, _, _)| f.ward.as_ref().is_none_or(|w| &v.ward == w))
        .filter(|(c, _, _, _, _)| f.venue_id.is_none_or(|id| c.venue_id == id))
        .filter(|(_, p, _, _, _)| f.programme.as_ref().is_none_or(|code| &p.code == code))
        .filter(|(c, _, _, s, _)| {
            let tz = zone(c);
            // A cancelled group is found by the dates it had.
            let cancelled = c.status == CohortStatus::Cancelled;
            let dates: Vec<NaiveDate> = s
                .iter()
                .filter(|s| cancelled || !s.is_cancelled())
                .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
                .collect();
            let (first, last) = (dates.iter().min().copied(), dates.iter().max().copied());
            f.from.is_none_or(|from| last.is_some_and(|l| l >= from))
                && f.to.is_none_or(|to| first.is_some_and(|d| d <= to))
        })
        .filter(|(c, _, _, _, _)| !f.has_places.unwrap_or(false) || c.places > c.confirmed_count)
        .filter(|(c, _, v, s, b)| {
            !f.has_creche.unwrap_or(false) || creche_out(c, v, s, b).places_left > 0
        })
        .collect();
    out.sort_by_key(|(c, _, _, s, _)| (first_start(s), c.id));
    Ok((out, until))
}

/// The first instant after `now` at which the clock alone changes a listing of these
/// cohorts: a group's last session ending (it is then completed; a cancelled group's planned
/// last session, when it leaves the feed) or a local midnight in a group's time zone (booking
/// windows are by date). Filters only drop rows, so this bounds every filtered listing too.
fn settled_until(rows: &[Listed], now: DateTime<Utc>) -> DateTime<Utc> {
    rows.iter()
        .fold(now + Duration::days(1), |until, (c, _, _, s, _)| {
            let end = if c.status == CohortStatus::Cancelled {
                planned_end(s)
            } else {
                last_end(s)
            };
            let ends = end.filter(|end| *end > now).unwrap_or(until);
            until.min(ends).min(next_midnight(zone(c), now))
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
