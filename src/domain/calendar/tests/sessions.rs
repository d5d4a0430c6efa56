//! Tests of weekly session dates: clock changes, closures and moving a course on.

use super::*;
use chrono::Weekday;
use chrono_tz::Europe::London;
use std::collections::BTreeSet;

#[test]
fn cosp_tuesdays_stay_at_ten_local_across_the_march_change() {
    let sessions = weekly_sessions(
        d("2026-03-03"),
        t("10:00"),
        120,
        London,
        8,
        &bank_holiday_closed,
    )
    .unwrap();
    let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.starts_at).collect();
    assert_eq!(
        starts,
        [
            utc("2026-03-03T10:00:00Z"),
            utc("2026-03-10T10:00:00Z"),
            utc("2026-03-17T10:00:00Z"),
            utc("2026-03-24T10:00:00Z"),
            // The clocks go forward on Sunday 29 March: 10:00 BST is 09:00 UTC.
            utc("2026-03-31T09:00:00Z"),
            utc("2026-04-07T09:00:00Z"),
            utc("2026-04-14T09:00:00Z"),
            utc("2026-04-21T09:00:00Z"),
        ]
    );
    for s in &sessions {
        assert_eq!(
            s.starts_at.with_timezone(&London).time(),
            t("10:00"),
            "session {}",
            s.number
        );
        assert_eq!(s.starts_at.with_timezone(&London).date_naive(), s.date);
        assert_eq!(s.date.weekday(), Weekday::Tue);
        assert_eq!(s.ends_at - s.starts_at, TimeDelta::minutes(120));
    }
    assert_eq!(
        sessions.iter().map(|s| s.number).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
}

#[test]
fn groups_stay_at_ten_local_across_the_october_change() {
    let sessions =
        weekly_sessions(d("2026-10-13"), t("10:00"), 90, London, 4, &open_always).unwrap();
    let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.starts_at).collect();
    assert_eq!(
        starts,
        [
            utc("2026-10-13T09:00:00Z"),
            utc("2026-10-20T09:00:00Z"),
            // The clocks go back on Sunday 25 October: 10:00 GMT is 10:00 UTC.
            utc("2026-10-27T10:00:00Z"),
            utc("2026-11-03T10:00:00Z"),
        ]
    );
    assert!(sessions
        .iter()
        .all(|s| s.starts_at.with_timezone(&London).time() == t("10:00")));
    assert_eq!(sessions[3].ends_at, utc("2026-11-03T11:30:00Z"));
}

#[test]
fn bank_holidays_move_a_monday_course_on() {
    let open = weekly_sessions(d("2026-03-23"), t("10:00"), 90, London, 6, &open_always).unwrap();
    assert_eq!(
        session_dates(&open),
        [
            "2026-03-23",
            "2026-03-30",
            "2026-04-06",
            "2026-04-13",
            "2026-04-20",
            "2026-04-27"
        ]
    );

    // Easter Monday alone pushes the course on by one week.
    let easter_monday = |date: NaiveDate| date == d("2026-04-06");
    let easter =
        weekly_sessions(d("2026-03-23"), t("10:00"), 90, London, 6, &easter_monday).unwrap();
    assert_eq!(
        session_dates(&easter),
        [
            "2026-03-23",
            "2026-03-30",
            "2026-04-13",
            "2026-04-20",
            "2026-04-27",
            "2026-05-04"
        ]
    );
    assert_eq!(easter[5].date, open[5].date + Days::new(7));

    // With every bank holiday closed, the early May bank holiday (4 May) also falls on the
    // sixth session, so it moves on once more.
    let all = weekly_sessions(
        d("2026-03-23"),
        t("10:00"),
        90,
        London,
        6,
        &bank_holiday_closed,
    )
    .unwrap();
    assert_eq!(
        session_dates(&all),
        [
            "2026-03-23",
            "2026-03-30",
            "2026-04-13",
            "2026-04-20",
            "2026-04-27",
            "2026-05-11"
        ]
    );
    assert_eq!(
        all.iter().map(|s| s.number).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert!(all.iter().all(|s| !bank_holiday_closed(s.date)));

    // A first date that is itself closed starts the course a week later.
    let late = weekly_sessions(
        d("2026-04-06"),
        t("10:00"),
        90,
        London,
        2,
        &bank_holiday_closed,
    )
    .unwrap();
    assert_eq!(session_dates(&late), ["2026-04-13", "2026-04-20"]);
}

#[test]
fn closure_ranges_skip_whole_weeks() {
    // February half term (Mon 16 – Fri 20 Feb 2026) for a Wednesday group.
    let half_term = |date: NaiveDate| (d("2026-02-16")..=d("2026-02-20")).contains(&date);
    let s = weekly_sessions(d("2026-02-04"), t("13:30"), 90, London, 4, &half_term).unwrap();
    assert_eq!(
        session_dates(&s),
        ["2026-02-04", "2026-02-11", "2026-02-25", "2026-03-04"]
    );

    // Two weeks of Easter holiday plus bank holidays, closures combined as the store does.
    let venue: BTreeSet<NaiveDate> = d("2026-03-30").iter_days().take(14).collect();
    let closed = |date: NaiveDate| venue.contains(&date) || bank_holiday_closed(date);
    let s = weekly_sessions(d("2026-03-18"), t("10:00"), 120, London, 8, &closed).unwrap();
    assert_eq!(
        session_dates(&s),
        [
            "2026-03-18",
            "2026-03-25",
            "2026-04-15",
            "2026-04-22",
            "2026-04-29",
            "2026-05-06",
            "2026-05-13",
            "2026-05-20"
        ]
    );
    // An 8-session group spanning 10 calendar weeks.
    assert_eq!((s[7].date - s[0].date).num_weeks() + 1, 10);

    // May half term overlapping the spring bank holiday, for a Monday group.
    let may_half_term = |date: NaiveDate| {
        (d("2026-05-25")..=d("2026-05-29")).contains(&date) || bank_holiday_closed(date)
    };
    let s = weekly_sessions(d("2026-05-11"), t("10:00"), 90, London, 3, &may_half_term).unwrap();
    assert_eq!(
        session_dates(&s),
        ["2026-05-11", "2026-05-18", "2026-06-01"]
    );
}

#[test]
fn replacement_sessions_go_to_the_next_open_week() {
    assert_eq!(
        next_open_week(d("2026-03-30"), &bank_holiday_closed),
        Ok(d("2026-04-13"))
    );
    assert_eq!(
        next_open_week(d("2026-04-27"), &bank_holiday_closed),
        Ok(d("2026-05-11"))
    );
    assert_eq!(
        next_open_week(d("2026-03-03"), &open_always),
        Ok(d("2026-03-10"))
    );
    // Strictly after, even when `after` itself is open.
    assert_ne!(
        next_open_week(d("2026-03-10"), &open_always),
        Ok(d("2026-03-10"))
    );
}

#[test]
fn a_year_of_closed_weeks_is_an_error() {
    let always = |_: NaiveDate| true;
    assert_eq!(
        weekly_sessions(d("2026-01-05"), t("10:00"), 60, London, 3, &always),
        Err(ScheduleError::NoOpenDate {
            after: d("2026-01-05")
        })
    );
    assert_eq!(
        next_open_week(d("2026-01-05"), &always),
        Err(ScheduleError::NoOpenDate {
            after: d("2026-01-05")
        })
    );
    // Closed from session 2 on: the error names where the closed run starts.
    let from_second_week = |date: NaiveDate| date >= d("2026-01-12");
    assert_eq!(
        weekly_sessions(
            d("2026-01-05"),
            t("10:00"),
            60,
            London,
            3,
            &from_second_week
        ),
        Err(ScheduleError::NoOpenDate {
            after: d("2026-01-12")
        })
    );
    // Exactly 52 closed weeks is still schedulable: the 53rd week is found.
    let year_closed = |date: NaiveDate| date < d("2027-01-04");
    let s = weekly_sessions(d("2026-01-05"), t("10:00"), 60, London, 1, &year_closed).unwrap();
    assert_eq!(s[0].date, d("2027-01-04"));
    let text = ScheduleError::NoOpenDate {
        after: d("2026-01-05"),
    }
    .to_string();
    assert!(text.contains("2026-01-05"), "{text}");
}

#[test]
fn clock_change_times_are_refused_naming_the_date() {
    let err = local_instant(d("2026-03-29"), t("01:30"), London).unwrap_err();
    assert_eq!(
        err,
        ScheduleError::NonexistentLocalTime {
            date: d("2026-03-29")
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("2026-03-29") && text.contains("forward"),
        "{text}"
    );

    let err = local_instant(d("2026-10-25"), t("01:30"), London).unwrap_err();
    assert_eq!(
        err,
        ScheduleError::AmbiguousLocalTime {
            date: d("2026-10-25")
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("2026-10-25") && text.contains("back"),
        "{text}"
    );

    // In a schedule, the first offending week is named.
    assert_eq!(
        weekly_sessions(d("2026-03-15"), t("01:30"), 60, London, 4, &open_always),
        Err(ScheduleError::NonexistentLocalTime {
            date: d("2026-03-29")
        })
    );
    assert_eq!(
        weekly_sessions(d("2026-10-11"), t("01:30"), 60, London, 4, &open_always),
        Err(ScheduleError::AmbiguousLocalTime {
            date: d("2026-10-25")
        })
    );
    // A closed clock-change Sunday is skipped, not an error.
    let closed_29 = |date: NaiveDate| date == d("2026-03-29");
    let s = weekly_sessions(d("2026-03-22"), t("01:30"), 60, London, 2, &closed_29).unwrap();
    assert_eq!(s[1].starts_at, utc("2026-04-05T00:30:00Z"));

    // The same time on an ordinary day is fine, and the offset follows the date.
    assert_eq!(
        local_instant(d("2026-03-28"), t("01:30"), London),
        Ok(utc("2026-03-28T01:30:00Z"))
    );
    assert_eq!(
        local_instant(d("2026-07-01"), t("10:00"), London),
        Ok(utc("2026-07-01T09:00:00Z"))
    );
    assert_eq!(
        local_instant(d("2026-07-01"), t("10:00"), chrono_tz::UTC),
        Ok(utc("2026-07-01T10:00:00Z"))
    );
}

#[test]
fn zero_sessions_and_odd_lengths_do_not_panic() {
    assert_eq!(
        weekly_sessions(d("2026-03-03"), t("10:00"), 60, London, 0, &open_always),
        Ok(vec![])
    );
    let s = weekly_sessions(
        d("2026-03-03"),
        t("10:00"),
        i64::MAX,
        London,
        1,
        &open_always,
    )
    .unwrap();
    assert_eq!(s[0].ends_at, DateTime::<Utc>::MAX_UTC);
    let s = weekly_sessions(
        NaiveDate::MAX,
        t("10:00"),
        60,
        chrono_tz::UTC,
        2,
        &open_always,
    );
    assert_eq!(
        s,
        Err(ScheduleError::NoOpenDate {
            after: NaiveDate::MAX
        })
    );
}

#[test]
fn a_session_moved_to_the_end_keeps_its_local_time_across_the_clock_change() {
    // Easter 2027: the clocks go forward on Sunday 28 March. A Tuesday group whose last session
    // is on 23 March (GMT), with a closure over 30 March, moves to 6 April (BST), still 10:00.
    let closed = |date: NaiveDate| date == d("2027-03-30");
    assert_eq!(
        end_of_course(d("2027-03-23"), t("10:00"), London, &closed),
        Ok(utc("2027-04-06T09:00:00Z"))
    );
    // Without a closure it is simply the next week, across the change all the same.
    assert_eq!(
        end_of_course(d("2027-03-23"), t("10:00"), London, &open_always),
        Ok(utc("2027-03-30T09:00:00Z"))
    );
    // And back in October: 10:00 BST then 10:00 GMT.
    assert_eq!(
        end_of_course(d("2027-10-26"), t("10:00"), London, &open_always),
        Ok(utc("2027-11-02T10:00:00Z"))
    );
}

#[test]
fn a_session_moved_to_the_end_skips_bank_holidays_and_names_impossible_times() {
    // Monday 22 March 2027 + a week is Easter Monday (29 March): on to 5 April.
    assert_eq!(
        end_of_course(d("2027-03-22"), t("10:00"), London, &bank_holiday_closed),
        Ok(utc("2027-04-05T09:00:00Z"))
    );
    // 01:30 does not exist on 28 March 2027 in London.
    assert_eq!(
        end_of_course(d("2027-03-21"), t("01:30"), London, &open_always),
        Err(ScheduleError::NonexistentLocalTime {
            date: d("2027-03-28")
        })
    );
    let always = |_: NaiveDate| true;
    assert_eq!(
        end_of_course(d("2027-03-21"), t("10:00"), London, &always),
        Err(ScheduleError::NoOpenDate {
            after: d("2027-03-21")
        })
    );
}

#[test]
fn the_weeks_without_a_group_are_the_gaps_between_its_first_and_last_sessions() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    // Tuesdays from 3 March 2026 with Easter week (7 April) skipped: the course moves on a week.
    let dates = [
        "2026-03-03",
        "2026-03-10",
        "2026-03-17",
        "2026-03-24",
        "2026-03-31",
        "2026-04-14",
        "2026-04-21",
    ]
    .map(d);
    assert_eq!(weeks_without(&dates), [d("2026-04-07")]);
    // Out of order in, sorted out; two weeks missing; none for one session or none.
    let shuffled = [d("2026-03-31"), d("2026-03-03"), d("2026-03-10")];
    assert_eq!(weeks_without(&shuffled), [d("2026-03-17"), d("2026-03-24")]);
    assert!(weeks_without(&[d("2026-03-03")]).is_empty());
    assert!(weeks_without(&[]).is_empty());
}
