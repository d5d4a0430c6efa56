//! Unit tests of the iCalendar feed; the shared helpers are here, the tests by theme below.

use super::*;
use chrono::{NaiveDateTime, TimeDelta};
use icalendar::parser::{read_calendar, unfold, Component as RawComponent};
use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};

mod properties;
mod zones;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn london() -> Tz {
    chrono_tz::Europe::London
}

fn event(uid: &str, start: &str, tz: Tz) -> Event {
    Event {
        uid: uid.into(),
        summary: "Circle of Security Parenting — session 1".into(),
        description: "With a crèche".into(),
        location: "Stockwell Children's Centre, SW8 2PS".into(),
        starts_at: t(start),
        ends_at: t(start) + TimeDelta::hours(2),
        tz,
        cancelled: false,
        sequence: 0,
        last_modified: t("2026-02-01T12:00:00Z"),
    }
}

fn now() -> DateTime<Utc> {
    t("2026-03-01T08:30:00Z")
}

/// The events, through the typed parser.
fn parse(text: &str) -> Vec<icalendar::Event> {
    let cal: icalendar::Calendar = text.parse().expect("parses");
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The raw component tree, for VTIMEZONE and calendar properties the typed parser skips.
fn with_raw<R>(text: &str, f: impl FnOnce(&[RawComponent<'_>], &[(String, String)]) -> R) -> R {
    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).expect("parses");
    let props: Vec<(String, String)> = cal
        .properties
        .iter()
        .map(|p| (p.name.as_str().to_owned(), p.val.as_str().to_owned()))
        .collect();
    f(&cal.components, &props)
}

fn prop<'a>(c: &'a RawComponent<'_>, name: &str) -> Option<&'a str> {
    c.find_prop(name).map(|p| p.val.as_str())
}

fn zoned(p: Option<DatePerhapsTime>) -> (String, String) {
    match p {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            (date_time.format("%Y%m%dT%H%M%S").to_string(), tzid)
        }
        other => panic!("expected a zoned time, got {other:?}"),
    }
}

/// Reads DTSTART/DTEND straight from the text (not through the parser) and converts them back
/// to UTC with chrono-tz, so the instants are checked independently of any iCalendar reader.
fn instants_from_text(text: &str, property: &str) -> Vec<DateTime<Utc>> {
    let mut in_event = false;
    unfold(text)
        .split("\r\n")
        .filter_map(|line| {
            // VTIMEZONE observances have DTSTART lines too; only events' lines count here.
            match line {
                "BEGIN:VEVENT" => in_event = true,
                "END:VEVENT" => in_event = false,
                _ => {}
            }
            if !in_event {
                return None;
            }
            let rest = line.strip_prefix(property)?;
            if let Some(value) = rest.strip_prefix(':') {
                let naive =
                    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ").expect("UTC form");
                return Some(naive.and_utc());
            }
            let (tzid, value) = rest.strip_prefix(";TZID=")?.split_once(':')?;
            let tz: Tz = tzid.parse().expect("IANA zone");
            let naive = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").unwrap();
            // RFC 5545 §3.3.5: an ambiguous local time means its first occurrence.
            Some(
                tz.from_local_datetime(&naive)
                    .earliest()
                    .unwrap()
                    .with_timezone(&Utc),
            )
        })
        .collect()
}

fn assert_instants_round_trip(text: &str, events: &[Event]) {
    let starts: Vec<_> = events.iter().map(|e| e.starts_at).collect();
    let ends: Vec<_> = events.iter().map(|e| e.ends_at).collect();
    assert_eq!(instants_from_text(text, "DTSTART"), starts);
    assert_eq!(instants_from_text(text, "DTEND"), ends);
}

fn vtimezones<'a>(components: &'a [RawComponent<'a>]) -> Vec<&'a RawComponent<'a>> {
    components
        .iter()
        .filter(|c| c.name.as_str() == "VTIMEZONE")
        .collect()
}

fn parse_offset(s: &str) -> i32 {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits = &s[1..];
    let h: i32 = digits[0..2].parse().unwrap();
    let m: i32 = digits[2..4].parse().unwrap();
    let sec: i32 = digits.get(4..6).map_or(0, |x| x.parse().unwrap());
    sign * (h * 3600 + m * 60 + sec)
}

/// The observances of a generated (RRULE-free) VTIMEZONE as (onset in UTC, offset after).
/// The onset is DTSTART read in the old offset, TZOFFSETFROM.
fn observances(vtz: &RawComponent<'_>) -> Vec<(DateTime<Utc>, i32)> {
    let mut list: Vec<_> = vtz
        .components
        .iter()
        .map(|o| {
            let start = NaiveDateTime::parse_from_str(prop(o, "DTSTART").unwrap(), "%Y%m%dT%H%M%S")
                .unwrap();
            let from = parse_offset(prop(o, "TZOFFSETFROM").unwrap());
            let to = parse_offset(prop(o, "TZOFFSETTO").unwrap());
            ((start - TimeDelta::seconds(from.into())).and_utc(), to)
        })
        .collect();
    list.sort_by_key(|(onset, _)| *onset);
    list
}

/// Every half hour of the span, the offset a reader takes from the generated VTIMEZONE (that
/// of the latest observance begun) agrees with chrono-tz.
fn assert_vtimezone_matches(vtz: &RawComponent<'_>, tz: Tz, from: &str, to: &str) {
    let list = observances(vtz);
    let (mut at, end) = (t(from), t(to));
    while at < end {
        let reader = list
            .iter()
            .rev()
            .find(|(onset, _)| *onset <= at)
            .map(|(_, offset)| *offset)
            .expect("an observance covers the instant");
        let expected = tz.offset_from_utc_datetime(&at.naive_utc()).fix();
        assert_eq!(reader, expected.local_minus_utc(), "{tz} at {at}");
        at += TimeDelta::minutes(30);
    }
}
