use super::*;
use crate::domain::register::Mark;
use crate::domain::register::Mark::*;
use chrono::NaiveTime;

/// (booking or session, its marks counted)
type Tallies = Vec<(i32, Tally)>;

/// Marks counted per booking and per session, as the store's query counts them (all sessions
/// here are held).
fn tallied(
    marks: &[(i32, i32, Mark)],
    sessions: &BTreeMap<i32, SessionFact>,
) -> (Tallies, Tallies) {
    let (mut by_booking, mut by_session) = (BTreeMap::new(), BTreeMap::new());
    for &(sid, bid, mark) in marks {
        let group = sessions.get(&sid).is_some_and(|s| s.group);
        for t in [
            by_booking.entry(bid).or_insert_with(Tally::default),
            by_session.entry(sid).or_insert_with(Tally::default),
        ] {
            t.recorded += 1;
            t.attended += i64::from(mark.attended());
            t.attended_group += i64::from(mark.attended() && group);
        }
    }
    (
        by_booking.into_iter().collect(),
        by_session.into_iter().collect(),
    )
}

fn at(d: &str, t: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .unwrap()
        .and_time(NaiveTime::parse_from_str(t, "%H:%M").unwrap())
}

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

#[test]
fn group_by_names_round_trip() {
    for g in GroupBy::ALL {
        assert_eq!(GroupBy::parse(g.as_str()), Some(g));
    }
    assert_eq!(GroupBy::parse("Ward"), None);
    assert!(GroupBy::Ward.by_family() && !GroupBy::Month.by_family());
}

#[test]
fn booking_history_tells_waiting_from_confirmed() {
    let (t0, t1) = (at("2026-03-02", "09:00"), at("2026-03-02", "10:00"));
    // Confirmed at once, later cancelled or withdrawn: booked, never waited.
    assert_eq!(
        booking_history(BookingStatus::Confirmed, t0, Some(t0)),
        (true, false)
    );
    assert_eq!(
        booking_history(BookingStatus::Cancelled, t0, Some(t0)),
        (true, false)
    );
    assert_eq!(
        booking_history(BookingStatus::Withdrawn, t0, Some(t0)),
        (true, false)
    );
    // Waiting, gave up waiting, promoted (and perhaps cancelled later).
    assert_eq!(
        booking_history(BookingStatus::Waitlisted, t0, None),
        (false, true)
    );
    assert_eq!(
        booking_history(BookingStatus::Cancelled, t0, None),
        (false, true)
    );
    assert_eq!(
        booking_history(BookingStatus::Confirmed, t0, Some(t1)),
        (true, true)
    );
    assert_eq!(
        booking_history(BookingStatus::Cancelled, t0, Some(t1)),
        (true, true)
    );
}

#[test]
fn timing_uses_the_first_session_held_in_local_time() {
    let span = |d: &str, t: &str, cancelled| SessionSpan {
        starts_at: at(d, t),
        ends_at: at(d, t) + chrono::Duration::hours(2),
        cancelled,
        group: true,
    };
    let meeting = |d: &str| SessionSpan {
        group: false,
        ..span(d, "10:00", false)
    };
    let london: Tz = chrono_tz::Europe::London;
    // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): an April cohort.
    // Meetings before and after the group sessions do not move its date, count or end.
    let spans = [
        meeting("2026-03-17"),
        span("2026-03-24", "23:30", true),
        span("2026-03-31", "23:30", false),
        span("2026-04-07", "23:30", false),
        meeting("2026-04-14"),
    ];
    let t = timing(&spans, london, day("2026-03-25"), at("2026-04-05", "00:00"));
    assert_eq!(t.date, day("2026-04-01"));
    assert_eq!(month(t.date), "2026-04");
    assert_eq!((t.delivered, t.ended), (1, false));
    let t = timing(&spans, london, day("2026-03-25"), at("2026-04-08", "01:30"));
    assert_eq!((t.delivered, t.ended), (2, true));
    // Nothing held: the planned first date, nothing delivered, never ended.
    let t = timing(
        &spans[..2],
        london,
        day("2026-03-25"),
        at("2027-01-01", "00:00"),
    );
    assert_eq!(
        t,
        Timing {
            date: day("2026-03-25"),
            delivered: 0,
            ended: false
        }
    );
    assert!(in_period(
        day("2026-03-01"),
        Some(day("2026-03-01")),
        Some(day("2026-03-01"))
    ));
    assert!(!in_period(day("2026-03-02"), None, Some(day("2026-03-01"))));
    assert!(in_period(day("1999-01-01"), None, None));
}

fn cohort(programme: &str, venue: &str, cancelled: bool, ended: bool) -> CohortFact {
    CohortFact {
        programme: programme.into(),
        venue: venue.into(),
        month: "2026-03".into(),
        cancelled,
        completion_threshold: 2,
        delivered: if cancelled { 0 } else { 3 },
        ended,
    }
}

/// Cohort 1 (ended, 3 group sessions), 2 (still running), 3 (cancelled). Family 10 in ward W
/// books 1 and 2; family 20 (no ward) books 1; family 30 waits for 1 and is never offered a
/// place; family 40 waits for 2, is promoted.
fn facts() -> Facts {
    let mut f = Facts::default();
    f.cohorts.insert(1, cohort("cosp", "Hub", false, true));
    f.cohorts
        .insert(2, cohort("together-time", "Hub", false, false));
    f.cohorts.insert(3, cohort("cosp", "Hub", true, false));
    for (sid, cohort, group) in [(11, 1, true), (12, 1, true), (13, 1, false), (21, 2, true)] {
        f.sessions.insert(
            sid,
            SessionFact {
                cohort_id: cohort,
                group,
                delivered: true,
                // Sessions 11–13 in the week of Monday 2 March, 21 the week after.
                date: day(if sid < 20 { "2026-03-03" } else { "2026-03-10" }),
            },
        );
    }
    let booking = |cohort_id, family_id, confirmed, waitlisted| BookingFact {
        cohort_id,
        family_id,
        confirmed,
        waitlisted,
    };
    f.bookings.insert(101, booking(1, 10, true, false));
    f.bookings.insert(102, booking(2, 10, true, false));
    f.bookings.insert(103, booking(1, 20, true, false));
    f.bookings.insert(104, booking(1, 30, false, true));
    f.bookings.insert(105, booking(2, 40, true, true));
    f.bookings.insert(106, booking(3, 50, true, false));
    let fam = |ward: &str, source: &str| FamilyFact {
        ward: ward.into(),
        referral_source: source.into(),
        ..Default::default()
    };
    f.families.insert(10, fam("lambeth-2014:Stockwell", "self"));
    f.families.insert(20, fam("", "gp"));
    f.families.insert(30, fam("lambeth-2022:Stockwell", "self"));
    f.families.insert(40, fam("lambeth-2022:Stockwell", "gp"));
    f.families.insert(50, fam("lambeth-2014:Stockwell", "self"));
    // Family 10 attends two group sessions of cohort 1 (completes); family 20 one group session
    // and the meeting (does not: the meeting is not a group session).
    let marks = [
        (11, 101, Present),
        (12, 101, Late),
        (13, 101, Absent),
        (11, 103, Absent),
        (12, 103, Present),
        (13, 103, Present),
        (21, 102, Apologies),
        (21, 105, Present),
    ];
    (f.marks, f.session_marks) = tallied(&marks, &f.sessions);
    f.creche = vec![(11, 101, 7), (12, 101, 7), (11, 103, 8)];
    // Child 7 had two incidents, child 8 one: each counts.
    f.incidents = vec![(11, 101), (12, 101), (11, 103)];
    f.follow_ups = vec![
        (1, 20, None),
        (1, 10, Some("reengaged".into())),
        (3, 50, None),
    ];
    f.scores = vec![
        (101, "PSOC".into(), true, 10.0),
        (101, "PSOC".into(), false, 16.0),
        (103, "PSOC".into(), true, 20.0),
        (103, "PSOC".into(), false, 18.0),
        (102, "PSOC".into(), true, 5.0),
    ];
    f
}

#[test]
fn the_total_counts_each_family_once_and_a_cancelled_cohort_as_cancelled_not_run() {
    let t = build(&facts(), None).total;
    assert_eq!(
        (t.cohorts_run, t.cohorts_cancelled, t.sessions_delivered),
        (Some(2), Some(1), Some(6))
    );
    // 10, 20, 40 booked, and 50 on the cohort cancelled since (30 only waited).
    assert_eq!(
        (t.families_booked, t.families_reached, t.children_in_creche),
        (4, 3, 2)
    );
    assert_eq!(t.creche_incidents, 3);
    assert_eq!(
        (t.marks_attended, t.marks_recorded, t.attendance_rate),
        (5, 8, Some(5.0 / 8.0))
    );
    // Ended cohort 1: families 10 and 20 eligible, 10 completed.
    assert_eq!(
        (t.completion_eligible, t.completed, t.completion_rate),
        (2, 1, Some(0.5))
    );
    assert_eq!((t.families_waitlisted, t.families_never_offered), (2, 1));
    // 50's follow-up on the cancelled cohort is still open.
    assert_eq!((t.follow_ups_opened, t.follow_ups_open), (3, 2));
    assert_eq!(t.follow_up_outcomes["reengaged"], 1);
    assert_eq!(t.follow_up_outcomes["withdrew"], 0);
    let psoc = t.outcome_pairs["PSOC"];
    assert_eq!(
        (psoc.pairs, psoc.mean_pre, psoc.mean_post, psoc.mean_change),
        (2, 15.0, 17.0, 2.0)
    );
    assert!(build(&facts(), None).groups.is_empty());
}

#[test]
fn cancelling_a_cohort_changes_only_the_cohort_counts() {
    let before = build(&facts(), Some(GroupBy::Ward));
    let mut f = facts();
    // Cohort 2 (running, families 10 and 40) is cancelled: it no longer runs; what it held
    // stays held.
    if let Some(c) = f.cohorts.get_mut(&2) {
        c.cancelled = true;
    }
    let after = build(&f, Some(GroupBy::Ward));
    let (b, a) = (&before.total, &after.total);
    assert_eq!((b.cohorts_run, b.cohorts_cancelled), (Some(2), Some(1)));
    assert_eq!((a.cohorts_run, a.cohorts_cancelled), (Some(1), Some(2)));
    // Its sessions held were delivered all the same.
    assert_eq!(
        (b.sessions_delivered, a.sessions_delivered),
        (Some(6), Some(6))
    );
    let families = |r: &Figures| {
        (
            r.families_booked,
            r.families_reached,
            r.marks_recorded,
            r.completion_eligible,
            r.families_waitlisted,
            r.families_never_offered,
            r.follow_ups_opened,
        )
    };
    assert_eq!(families(a), families(b));
    for ((kb, rb), (ka, ra)) in before.groups.iter().zip(&after.groups) {
        assert_eq!((kb, families(rb)), (ka, families(ra)));
    }
    // Ended and cancelled: its families were booked, but no one could complete it.
    if let Some(c) = f.cohorts.get_mut(&3) {
        c.ended = true;
    }
    assert_eq!(build(&f, None).total.completion_eligible, 2);
}

#[test]
fn family_rows_split_families_and_leave_cohort_counts_out() {
    let r = build(&facts(), Some(GroupBy::Ward));
    let keys: Vec<&str> = r.groups.iter().map(|(k, _)| k.as_str()).collect();
    // The same ward name in two boundary sets stays two rows; no ward is "unknown".
    assert_eq!(
        keys,
        [
            "lambeth-2014:Stockwell",
            "lambeth-2022:Stockwell",
            "unknown"
        ]
    );
    let (w14, w22, unknown) = (&r.groups[0].1, &r.groups[1].1, &r.groups[2].1);
    assert_eq!((w14.cohorts_run, w14.sessions_delivered), (None, None));
    assert_eq!(
        (w14.families_booked, w14.completed, w14.children_in_creche),
        (2, 1, 1)
    );
    assert_eq!((w14.creche_incidents, w22.creche_incidents), (2, 0));
    assert_eq!(unknown.creche_incidents, 1);
    assert_eq!(
        (
            w22.families_waitlisted,
            w22.families_never_offered,
            w22.families_booked
        ),
        (2, 1, 1)
    );
    assert_eq!(
        (unknown.completion_rate, unknown.follow_ups_open),
        (Some(0.0), 1)
    );
    assert_eq!(unknown.outcome_pairs["PSOC"].mean_change, -2.0);
}

#[test]
fn cohort_rows_keep_cohort_counts() {
    let r = build(&facts(), Some(GroupBy::Programme));
    let (cosp, tt) = (&r.groups[0].1, &r.groups[1].1);
    assert_eq!(r.groups[0].0, "cosp");
    assert_eq!(
        (cosp.cohorts_run, cosp.cohorts_cancelled),
        (Some(1), Some(1))
    );
    // Cohort 2 has not ended: no completion figure at all.
    assert_eq!((tt.completion_eligible, tt.completion_rate), (0, None));
    assert_eq!((tt.families_booked, tt.attendance_rate), (2, Some(0.5)));
    // Family 10 is in both rows, once in the total; 50 booked the cancelled cosp cohort.
    assert_eq!((cosp.families_booked, tt.families_booked), (3, 2));
    assert_eq!(r.total.families_booked, 4);
}

#[test]
fn no_facts_no_rates() {
    let r = build(&Facts::default(), Some(GroupBy::Venue));
    assert!(r.groups.is_empty());
    assert_eq!(
        (r.total.attendance_rate, r.total.completion_rate),
        (None, None)
    );
    assert_eq!(r.total.cohorts_run, Some(0));
    assert_eq!(r.total.follow_up_outcomes.len(), 4);
}

#[test]
fn attendance_goes_week_by_week_from_mondays() {
    let weeks = attendance_by_week(&facts());
    assert_eq!(
        weeks,
        [
            WeekAttendance {
                monday: day("2026-03-02"),
                attended: 4,
                recorded: 6
            },
            WeekAttendance {
                monday: day("2026-03-09"),
                attended: 1,
                recorded: 2
            },
        ]
    );
}
