//! The facts behind the monitoring report, read in one snapshot. Only ids, statuses, times,
//! marks, scores, and the family's ward and referral source are read — never a name or contact —
//! so the figures survive a family's erasure unchanged.

use crate::db::schema::{
    attendance_marks as am, booking_mark_tallies as bmt, bookings as bo, children as ch,
    cohorts as co, creche_attendance as ca, families as fa, follow_ups as fu,
    geography_wards as gw, outcome_measures as om, programmes as pr, session_visitors as sv,
    sessions as se, venues as ve,
};
use crate::db::DbConnection;
use crate::domain::cohort::parse_timezone;
use crate::domain::monitoring::Profile;
use crate::domain::register::Mark;
use crate::domain::report::{self, BookingFact, CohortFact, Facts, FamilyFact, SessionFact, Tally};
use crate::domain::status::{CohortStatus, SessionKind, SessionStatus};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::{BTreeMap, BTreeSet};

/// Cohort ids per query: well under either database's limit of bound parameters.
const CHUNK: usize = 1000;

type CohortRow = (
    i32,
    String,
    String,
    NaiveDate,
    String,
    i32,
    String,
    Option<NaiveDateTime>,
);
type SessionRow = (i32, i32, String, NaiveDateTime, NaiveDateTime, String);
/// A booking with its tally of marks (recorded, attended, attended at group sessions), if any.
type BookingRow = (
    i32,
    i32,
    i32,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<(i32, i32, i32)>,
);

/// What a report reads beyond what every report needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra {
    /// The families' monitoring answers (for a breakdown by them).
    pub answers: bool,
    /// The marks by session (for attendance week by week).
    pub session_marks: bool,
}

/// Everything the report needs about the cohorts whose first session (local date) falls in
/// `from..=to`, drafts excluded, as the database stood at one instant.
pub fn facts(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: NaiveDateTime,
    extra: Extra,
) -> QueryResult<Facts> {
    conn.transaction(|c| {
        // One snapshot for all the reads below, so a register saved meanwhile is either wholly
        // in the figures or not at all (SQLite's read transaction is a snapshot already).
        if let DbConnection::Postgres(pg) = c {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(pg)?;
        }
        let mut f = Facts::default();
        let candidates = cohorts(c, from, to)?;
        let ids: Vec<i32> = candidates.iter().map(|r| r.0).collect();
        let mut sessions: BTreeMap<i32, Vec<SessionRow>> = BTreeMap::new();
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<SessionRow> = se::table
                .filter(se::cohort_id.eq_any(chunk))
                .select((
                    se::id,
                    se::cohort_id,
                    se::kind,
                    se::starts_at,
                    se::ends_at,
                    se::status,
                ))
                .load(c)?;
            for s in rows {
                sessions.entry(s.1).or_default().push(s);
            }
        }
        for (id, status, tz, planned, programme, threshold, venue, cancelled_at) in candidates {
            // A cancelled cohort held only what started before it was cancelled.
            let held_by = cancelled_at.map_or(now, |at| at.min(now));
            let mine = sessions.remove(&id).unwrap_or_default();
            let mut spans: Vec<report::SessionSpan> = Vec::with_capacity(mine.len());
            for s in &mine {
                spans.push(report::SessionSpan {
                    starts_at: s.3,
                    ends_at: s.4,
                    cancelled: super::stored::<SessionStatus>(s.5.clone())?
                        == SessionStatus::Cancelled,
                    group: super::stored::<SessionKind>(s.2.clone())? == SessionKind::Group,
                });
            }
            let tz = parse_timezone(&tz).unwrap_or(chrono_tz::Europe::London);
            let t = report::timing(&spans, tz, planned, held_by);
            if !report::in_period(t.date, from, to) {
                continue;
            }
            for (s, span) in mine.iter().zip(&spans) {
                let (group, delivered) = (span.group, span.delivered(held_by));
                f.sessions.insert(
                    s.0,
                    SessionFact {
                        cohort_id: id,
                        group,
                        delivered,
                        date: span.starts_at.and_utc().with_timezone(&tz).date_naive(),
                    },
                );
            }
            let fact = CohortFact {
                programme,
                venue,
                month: report::month(t.date),
                cancelled: super::stored::<CohortStatus>(status)? == CohortStatus::Cancelled,
                completion_threshold: threshold,
                delivered: t.delivered,
                ended: t.ended,
            };
            f.cohorts.insert(id, fact);
        }
        // A cancelled cohort's bookings, marks and the rest are read too: what its families did
        // before it was cancelled still happened (the figures decide what counts).
        let all: Vec<i32> = f.cohorts.keys().copied().collect();
        for chunk in all.chunks(CHUNK) {
            add_chunk(c, chunk, extra, &mut f)?;
        }
        add_families(c, extra, &mut f)?;
        f.year = to.unwrap_or(now.date()).year();
        f.under_fives = under_fives(c)?;
        Ok(f)
    })
}

/// The under-fives of each ward whose population is loaded, by the ward's key.
fn under_fives(c: &mut DbConnection) -> QueryResult<BTreeMap<String, i64>> {
    let rows: Vec<(String, Option<i32>)> = gw::table
        .filter(gw::under_fives.is_not_null())
        .select((gw::ward, gw::under_fives))
        .load(c)?;
    let mut by_ward = BTreeMap::new();
    for (ward, n) in rows {
        *by_ward.entry(ward).or_default() += i64::from(n.unwrap_or(0));
    }
    Ok(by_ward)
}

/// Non-draft cohorts that may be in the period. A local date `d` starts between `d - 1 day` and
/// `d + 2 days` in UTC whatever the zone, so cohorts with a session held in that window are
/// candidates, and so are those with none held whose planned first date is in the period; the
/// exact local first date is checked afterwards.
fn cohorts(
    c: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> QueryResult<Vec<CohortRow>> {
    let far = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    let (from, to) = (from.unwrap_or(far(1900)), to.unwrap_or(far(2200)));
    let window = (
        (from - Duration::days(1)).and_time(NaiveTime::MIN),
        (to + Duration::days(2)).and_time(NaiveTime::MIN),
    );
    let held_in_window = se::table
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .filter(se::starts_at.ge(window.0))
        .filter(se::starts_at.lt(window.1))
        .select(se::cohort_id);
    co::table
        .inner_join(pr::table)
        .inner_join(ve::table)
        .filter(co::status.ne(CohortStatus::Draft.as_str()))
        .filter(
            co::id
                .eq_any(held_in_window)
                .or(co::first_session_date.between(from, to)),
        )
        .select((
            co::id,
            co::status,
            co::timezone,
            co::first_session_date,
            pr::code,
            pr::completion_threshold,
            ve::name,
            co::cancelled_at,
        ))
        .order(co::id)
        .load(c)
}

/// Bookings, visitors, marks, sign-ins, crèche incidents, follow-ups and scores of some cohorts.
fn add_chunk(c: &mut DbConnection, ids: &[i32], extra: Extra, f: &mut Facts) -> QueryResult<()> {
    let bookings: Vec<BookingRow> = bo::table
        .left_join(bmt::table)
        .filter(bo::cohort_id.eq_any(ids))
        .select((
            bo::id,
            bo::cohort_id,
            bo::family_id,
            bo::status,
            bo::created_at,
            bo::confirmed_at,
            (bmt::recorded, bmt::attended, bmt::attended_group).nullable(),
        ))
        .load(c)?;
    let mut marks: BTreeMap<i32, Tally> = BTreeMap::new();
    for (id, cohort_id, family_id, status, created, confirmed_at, counted) in bookings {
        let (confirmed, waitlisted) =
            report::booking_history(super::stored(status)?, created, confirmed_at);
        f.bookings.insert(
            id,
            BookingFact {
                cohort_id,
                family_id,
                confirmed,
                waitlisted,
            },
        );
        if let Some((recorded, attended, attended_group)) = counted {
            let tally = Tally {
                recorded: recorded.into(),
                attended: attended.into(),
                attended_group: attended_group.into(),
            };
            marks.insert(id, tally);
        }
    }
    f.visitors.extend(
        sv::table
            .inner_join(se::table)
            .filter(se::cohort_id.eq_any(ids))
            .select((sv::session_id, sv::family_id))
            .load::<(i32, i32)>(c)?,
    );
    add_marks(c, ids, marks, extra, f)?;
    f.creche.extend(
        ca::table
            .inner_join(bo::table)
            .filter(bo::cohort_id.eq_any(ids))
            .select((ca::session_id, ca::booking_id, ca::child_id))
            .load::<(i32, i32, i32)>(c)?,
    );
    f.incidents
        .extend(crate::store::creche_incidents::counted_of_cohorts(c, ids)?);
    f.follow_ups.extend(
        fu::table
            .filter(fu::cohort_id.eq_any(ids))
            .select((fu::cohort_id, fu::family_id, fu::outcome))
            .load::<(i32, i32, Option<String>)>(c)?,
    );
    let scores: Vec<(i32, String, String, f64)> = om::table
        .inner_join(bo::table)
        .filter(bo::cohort_id.eq_any(ids))
        .select((om::booking_id, om::measure, om::phase, om::score))
        .load(c)?;
    f.scores.extend(
        scores
            .into_iter()
            .map(|(b, m, phase, s)| (b, m, phase == "pre", s)),
    );
    Ok(())
}

/// The marks of some cohorts' bookings at the sessions held, from each booking's tally of all
/// its marks (`booking_mark_tallies`, kept by the database as marks are written) less its marks
/// at sessions not held — cancelled, not started by `now`, or after the cohort was cancelled
/// (`SessionFact::delivered`): apologies sent ahead, mostly, so few rows. By session too when
/// asked, counted by the database (`attendance_by_week` keeps the sessions held).
fn add_marks(
    c: &mut DbConnection,
    ids: &[i32],
    mut marks: BTreeMap<i32, Tally>,
    extra: Extra,
    f: &mut Facts,
) -> QueryResult<()> {
    let cohorts: BTreeSet<i32> = ids.iter().copied().collect();
    let not_held: Vec<i32> = f
        .sessions
        .iter()
        .filter(|(_, s)| !s.delivered && cohorts.contains(&s.cohort_id))
        .map(|(&id, _)| id)
        .collect();
    for part in not_held.chunks(CHUNK) {
        let rows: Vec<(i32, i32, String)> = am::table
            .filter(am::session_id.eq_any(part))
            .select((am::booking_id, am::session_id, am::status))
            .load(c)?;
        for (booking, session, status) in rows {
            let (Some(tally), Some(s)) = (marks.get_mut(&booking), f.sessions.get(&session)) else {
                continue;
            };
            let attended = super::stored::<Mark>(status)?.attended();
            tally.recorded -= 1;
            tally.attended -= i64::from(attended);
            tally.attended_group -= i64::from(attended && s.group);
        }
    }
    f.marks
        .extend(marks.into_iter().filter(|(_, t)| t.recorded > 0));
    if !extra.session_marks {
        return Ok(());
    }
    let attended: Vec<String> = Mark::ALL
        .iter()
        .filter(|m| m.attended())
        .map(|m| format!("'{}'", m.as_str()))
        .collect();
    let attended = format!("attendance_marks.status IN ({})", attended.join(", "));
    let per_session: Vec<(i32, i64, i64, i64)> = am::table
        .inner_join(se::table)
        .filter(se::cohort_id.eq_any(ids))
        .group_by(am::session_id)
        .select((
            am::session_id,
            count_star(),
            sql::<BigInt>(&format!("COUNT(CASE WHEN {attended} THEN 1 END)")),
            sql::<BigInt>(&format!(
                "COUNT(CASE WHEN {attended} AND sessions.kind = '{}' THEN 1 END)",
                SessionKind::Group.as_str()
            )),
        ))
        .load(c)?;
    f.session_marks.extend(per_session.into_iter().map(
        |(id, recorded, attended, attended_group)| {
            let tally = Tally {
                recorded,
                attended,
                attended_group,
            };
            (id, tally)
        },
    ));
    Ok(())
}

/// The ward, referral source, IMD decile and children (with their SEND answers) of every family
/// booked or visiting, read once however many cohorts they came to; their monitoring answers
/// when asked.
fn add_families(c: &mut DbConnection, extra: Extra, f: &mut Facts) -> QueryResult<()> {
    let ids: BTreeSet<i32> = f
        .bookings
        .values()
        .map(|b| b.family_id)
        .chain(f.visitors.iter().map(|v| v.1))
        .collect();
    let ids: Vec<i32> = ids.into_iter().collect();
    for part in ids.chunks(CHUNK) {
        let families: Vec<(i32, String, String, Option<i32>)> = fa::table
            .filter(fa::id.eq_any(part))
            .select((fa::id, fa::ward, fa::referral_source, fa::imd_decile))
            .load(c)?;
        for (id, ward, referral_source, imd_decile) in families {
            // A family never asked has no answers row: its rows are `not_asked` whatever its
            // carers.
            let profile = Profile {
                carers: 1,
                imd_decile,
                ..Profile::default()
            };
            f.families.insert(
                id,
                FamilyFact {
                    ward,
                    referral_source,
                    profile,
                    children: Vec::new(),
                },
            );
        }
        if extra.answers {
            for a in crate::store::families::answers_of(c, part)? {
                if let Some(fam) = f.families.get_mut(&a.family_id) {
                    fam.profile.answers = a.answers;
                    fam.profile.carers = a.carers;
                }
            }
        }
        let children: Vec<(i32, i32, String)> = ch::table
            .filter(ch::family_id.eq_any(part))
            .select((ch::family_id, ch::id, ch::send))
            .order(ch::id)
            .load(c)?;
        for (family, child, send) in children {
            if let Some(fam) = f.families.get_mut(&family) {
                fam.children.push(child);
                fam.profile.children_send.push(send);
            }
        }
    }
    Ok(())
}
