//! iCalendar (RFC 5545) feeds of sessions. Calendar apps cannot send a bearer token, and they
//! need each event in local time with its zone so that a 10:00 group stays at 10:00 on both sides
//! of a clock change; events keep stable UIDs and a SEQUENCE that grows when a session moves.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across edits, e.g. `session-42@groupwork`.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The zone the group meets in; times are written in it.
    pub tz: Tz,
    pub cancelled: bool,
    /// Bumped when the session is moved or cancelled so calendar apps replace their copy.
    pub sequence: u32,
    pub last_modified: DateTime<Utc>,
}

/// The standard definition of UK time; other zones are written in UTC instead.
const EUROPE_LONDON: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A whole VCALENDAR with one VEVENT per event.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//groupwork//groupwork//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ];
    if events.iter().any(|e| e.tz == chrono_tz::Europe::London) {
        lines.extend(EUROPE_LONDON.iter().map(|l| l.to_string()));
    }
    for e in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", escape(&e.uid)));
        lines.push(format!("DTSTAMP:{}", utc(now)));
        lines.push(format!("SEQUENCE:{}", e.sequence));
        lines.push(format!("LAST-MODIFIED:{}", utc(e.last_modified)));
        lines.push(time_property("DTSTART", e.starts_at, e.tz));
        lines.push(time_property("DTEND", e.ends_at, e.tz));
        lines.push(format!("SUMMARY:{}", escape(&e.summary)));
        lines.push(format!("DESCRIPTION:{}", escape(&e.description)));
        lines.push(format!("LOCATION:{}", escape(&e.location)));
        lines.push(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn time_property(name: &str, t: DateTime<Utc>, tz: Tz) -> String {
    if tz == chrono_tz::Europe::London {
        format!(
            "{name};TZID=Europe/London:{}",
            t.with_timezone(&tz).format("%Y%m%dT%H%M%S")
        )
    } else {
        format!("{name}:{}", utc(t))
    }
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a character; ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn event(uid: &str, start: &str, tz: Tz) -> Event {
        Event {
            uid: uid.into(),
            summary: "Circle of Security Parenting — session 1".into(),
            description: "With a crèche".into(),
            location: "Stockwell Children's Centre, SW8 2PS".into(),
            starts_at: t(start),
            ends_at: t(start) + chrono::Duration::hours(2),
            tz,
            cancelled: false,
            sequence: 0,
            last_modified: t("2026-02-01T12:00:00Z"),
        }
    }

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

    fn local_start(e: &icalendar::Event) -> (String, String) {
        match e.get_start() {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                (date_time.format("%Y%m%dT%H%M%S").to_string(), tzid)
            }
            other => panic!("expected a zoned start, got {other:?}"),
        }
    }

    #[test]
    fn same_local_time_on_both_sides_of_the_clock_change() {
        let london = chrono_tz::Europe::London;
        let mut second = event("session-2@groupwork", "2026-03-31T09:00:00Z", london);
        second.cancelled = true;
        let text = calendar(
            "Groups",
            &[
                event("session-1@groupwork", "2026-03-24T10:00:00Z", london),
                second,
            ],
            t("2026-03-01T00:00:00Z"),
        );
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(text.split("\r\n").all(|l| !l.contains('\n')));
        let events = parse(&text);
        assert_eq!(events.len(), 2);
        assert_eq!(
            local_start(&events[0]),
            ("20260324T100000".into(), "Europe/London".into())
        );
        assert_eq!(
            local_start(&events[1]),
            ("20260331T100000".into(), "Europe/London".into())
        );
        assert_eq!(events[0].get_uid(), Some("session-1@groupwork"));
        assert_eq!(events[0].property_value("STATUS"), Some("CONFIRMED"));
        assert_eq!(events[1].property_value("STATUS"), Some("CANCELLED"));
    }

    #[test]
    fn text_is_escaped_and_folded() {
        let mut e = event(
            "session-3@groupwork",
            "2026-03-24T10:00:00Z",
            chrono_tz::Europe::London,
        );
        e.summary = "Circle of Security; week 3, with crèche\nnew line \\ backslash".into();
        e.description = "Parents and babies ♥ é ".repeat(25);
        let text = calendar("Groups", &[e.clone()], t("2026-03-01T00:00:00Z"));
        assert!(
            text.split("\r\n").all(|l| l.len() <= 75),
            "folded at 75 octets"
        );
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let parsed = parse(&text);
        assert_eq!(parsed[0].get_summary(), Some(e.summary.as_str()));
        assert_eq!(parsed[0].get_description(), Some(e.description.as_str()));
    }

    #[test]
    fn other_zones_are_written_in_utc() {
        let text = calendar(
            "Groups",
            &[event(
                "x@groupwork",
                "2026-03-24T14:00:00Z",
                chrono_tz::America::New_York,
            )],
            t("2026-03-01T00:00:00Z"),
        );
        assert!(!text.contains("VTIMEZONE"));
        assert!(text.contains("DTSTART:20260324T140000Z"));
    }
}
