//! iCalendar (RFC 5545) feeds of sessions.
//!
//! Calendar apps subscribe to a URL and cannot send a bearer token, so the feed is its own
//! read-only document. Each event is written in the local time of the zone the group meets in,
//! with that zone's VTIMEZONE, so a 10:00 group stays at 10:00 on both sides of a clock change;
//! UIDs are stable and SEQUENCE grows when a session moves or is cancelled, so apps replace
//! their copy instead of adding a second one.

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One session as a calendar event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across edits, e.g. "session-42@groupwork" (the caller makes it).
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

/// The usual published definition of UK time. Written out by hand because it is the zone nearly
/// every group meets in, and a rule-based definition is what calendar apps expect for it.
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

/// An RFC 5545 VCALENDAR (CRLF line endings, lines folded at 75 octets without splitting a UTF-8 character,
/// TEXT values escaped: backslash, semicolon, comma, newline) with PRODID "-//groupwork//groupwork//EN", VERSION 2.0,
/// CALSCALE GREGORIAN, METHOD PUBLISH, X-WR-CALNAME `name`, one VTIMEZONE per distinct zone used, and one VEVENT per event
/// with UID, DTSTAMP (= `now`, UTC form), SEQUENCE, LAST-MODIFIED, SUMMARY, DESCRIPTION, LOCATION,
/// DTSTART;TZID=<zone>:YYYYMMDDTHHMMSS and DTEND;TZID=... in local time of the event's zone,
/// and STATUS:CONFIRMED or STATUS:CANCELLED.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//groupwork//groupwork//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ];

    // Zones in order of first use, so the output is deterministic.
    let mut zones: Vec<Tz> = Vec::new();
    for e in events {
        if !zones.contains(&e.tz) {
            zones.push(e.tz);
        }
    }
    for tz in zones {
        if tz == chrono_tz::Europe::London {
            lines.extend(EUROPE_LONDON.iter().map(|l| l.to_string()));
        } else {
            let instants = events
                .iter()
                .filter(|e| e.tz == tz)
                .flat_map(|e| [e.starts_at, e.ends_at]);
            lines.extend(generated_vtimezone(tz, instants));
        }
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
        let status = if e.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        lines.push(format!("STATUS:{status}"));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());

    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 4).sum());
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// DATE-TIME in UTC form (RFC 5545 §3.3.5 form #2).
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// DTSTART/DTEND as local time with its zone, so the event keeps its wall-clock time.
fn time_property(name: &str, t: DateTime<Utc>, tz: Tz) -> String {
    let wall = t.with_timezone(&tz).naive_local();
    // In the hour repeated when clocks go back, a local time names two instants and readers take
    // the first (RFC 5545 §3.3.5); the second can only be written unambiguously in UTC.
    if let LocalResult::Ambiguous(first, _) = tz.from_local_datetime(&wall) {
        if first.with_timezone(&Utc) != t {
            return format!("{name}:{}", utc(t));
        }
    }
    format!("{name};TZID={}:{}", tz.name(), local(wall))
}

/// The offset state of a zone at one instant; a change in any part is a transition.
#[derive(Debug, Clone, PartialEq)]
struct ZoneState {
    /// Seconds east of UTC, daylight saving included.
    offset: i32,
    base: i32,
    dst: i32,
    abbreviation: Option<String>,
}

fn zone_state(tz: Tz, t: DateTime<Utc>) -> ZoneState {
    let o = tz.offset_from_utc_datetime(&t.naive_utc());
    ZoneState {
        offset: o.fix().local_minus_utc(),
        base: o.base_utc_offset().num_seconds() as i32,
        dst: o.dst_offset().num_seconds() as i32,
        abbreviation: o.abbreviation().map(str::to_owned),
    }
}

/// One STANDARD or DAYLIGHT sub-component: from `onset` on, the zone is in state `to`.
struct Observance {
    onset: DateTime<Utc>,
    from: ZoneState,
    to: ZoneState,
}

/// A VTIMEZONE for any zone, built from chrono-tz's rules for the whole years the events span.
///
/// chrono-tz does not expose its transitions, so they are found by sampling every hour and
/// bisecting to the second where the state changes. Each transition becomes one observance with
/// a fixed DTSTART (no RRULE), which every reader understands. A first observance at the start
/// of the span states the offset in force before the first transition, so a zone with a single
/// fixed offset gets exactly one STANDARD component.
fn generated_vtimezone(tz: Tz, instants: impl Iterator<Item = DateTime<Utc>>) -> Vec<String> {
    let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
    for t in instants {
        first = Some(first.map_or(t, |f| f.min(t)));
        last = Some(last.map_or(t, |l| l.max(t)));
    }
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    // Whole UTC years, so every event instant lies after the first observance's onset.
    let (start, end) = (year_start(first.year()), year_start(last.year() + 1));

    let initial = zone_state(tz, start);
    let mut observances = vec![Observance {
        onset: start,
        from: initial.clone(),
        to: initial.clone(),
    }];
    let step = TimeDelta::hours(1);
    let (mut t, mut current) = (start, initial);
    while t < end {
        let next = (t + step).min(end);
        let state = zone_state(tz, next);
        if state == current {
            t = next;
            continue;
        }
        // The change lies in (t, next]: bisect to the first second of the new state.
        let (mut lo, mut hi) = (t, next);
        while (hi - lo).num_seconds() > 1 {
            let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
            if zone_state(tz, mid) == current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let to = zone_state(tz, hi);
        observances.push(Observance {
            onset: hi,
            from: current,
            to: to.clone(),
        });
        // Carry on from the transition itself, in case a second one falls in the same hour.
        t = hi;
        current = to;
    }

    // Zones with negative daylight saving (Europe/Dublin) record winter as the "saving" and
    // summer as dst 0; calendar apps still expect summer to be the DAYLIGHT part.
    let negative_dst_bases: Vec<i32> = observances
        .iter()
        .filter(|o| o.to.dst < 0)
        .map(|o| o.to.base)
        .collect();
    let is_daylight =
        |s: &ZoneState| s.dst > 0 || (s.dst == 0 && negative_dst_bases.contains(&s.base));

    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    for o in &observances {
        let kind = if is_daylight(&o.to) {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        lines.push(format!("BEGIN:{kind}"));
        // An observance's DTSTART is the local time just before it begins, i.e. in the old offset.
        let wall = o.onset.naive_utc() + TimeDelta::seconds(o.from.offset.into());
        lines.push(format!("DTSTART:{}", local(wall)));
        lines.push(format!("TZOFFSETFROM:{}", utc_offset(o.from.offset)));
        lines.push(format!("TZOFFSETTO:{}", utc_offset(o.to.offset)));
        // Some zones have only numeric abbreviations, which chrono-tz leaves out; TZNAME is optional.
        if let Some(name) = &o.to.abbreviation {
            lines.push(format!("TZNAME:{}", escape(name)));
        }
        lines.push(format!("END:{kind}"));
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

fn year_start(year: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// UTC-OFFSET value (RFC 5545 §3.3.14): ±HHMM, seconds only when present; zero is "+0000".
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// TEXT escaping (RFC 5545 §3.3.11). Line breaks of any kind become `\n`; other control
/// characters are not allowed in TEXT and are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push('\t'),
            c if c.is_control() && (c as u32) < 0x80 => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line folded at 75 octets (RFC 5545 §3.1) and ends it with CRLF. Breaks
/// fall only between characters, as a split UTF-8 sequence would be garbled by readers.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            // The leading space of a continuation line counts towards its 75 octets.
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeDelta};
    use icalendar::parser::{read_calendar, unfold, Component as RawComponent};
    use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};

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
                let start =
                    NaiveDateTime::parse_from_str(prop(o, "DTSTART").unwrap(), "%Y%m%dT%H%M%S")
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

    #[test]
    fn london_sessions_keep_their_local_time_across_the_clock_change() {
        let events = [
            event("session-1@groupwork", "2026-03-24T10:00:00Z", london()),
            event("session-2@groupwork", "2026-03-31T09:00:00Z", london()),
        ];
        let text = calendar("Groups", &events, now());

        let parsed = parse(&text);
        assert_eq!(parsed.len(), 2);
        assert_eq!(
            zoned(parsed[0].get_start()),
            ("20260324T100000".into(), "Europe/London".into())
        );
        assert_eq!(
            zoned(parsed[1].get_start()),
            ("20260331T100000".into(), "Europe/London".into())
        );
        assert_eq!(
            zoned(parsed[1].get_end()),
            ("20260331T120000".into(), "Europe/London".into())
        );
        assert_eq!(parsed[0].get_uid(), Some("session-1@groupwork"));
        assert_eq!(parsed[1].get_uid(), Some("session-2@groupwork"));
        assert_instants_round_trip(&text, &events);

        with_raw(&text, |components, _| {
            let zones = vtimezones(components);
            assert_eq!(zones.len(), 1, "one VTIMEZONE for the zone");
            let vtz = zones[0];
            assert_eq!(prop(vtz, "TZID"), Some("Europe/London"));
            let part = |kind: &str| {
                vtz.components
                    .iter()
                    .find(|c| c.name.as_str() == kind)
                    .unwrap_or_else(|| panic!("{kind} present"))
            };
            let standard = part("STANDARD");
            assert_eq!(prop(standard, "TZNAME"), Some("GMT"));
            assert_eq!(prop(standard, "TZOFFSETFROM"), Some("+0100"));
            assert_eq!(prop(standard, "TZOFFSETTO"), Some("+0000"));
            assert_eq!(prop(standard, "DTSTART"), Some("19701025T020000"));
            assert_eq!(
                prop(standard, "RRULE"),
                Some("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
            );
            let daylight = part("DAYLIGHT");
            assert_eq!(prop(daylight, "TZNAME"), Some("BST"));
            assert_eq!(prop(daylight, "TZOFFSETFROM"), Some("+0000"));
            assert_eq!(prop(daylight, "TZOFFSETTO"), Some("+0100"));
            assert_eq!(prop(daylight, "DTSTART"), Some("19700329T010000"));
            assert_eq!(
                prop(daylight, "RRULE"),
                Some("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
            );
        });
    }

    #[test]
    fn calendar_and_event_properties() {
        let mut e = event("session-7@groupwork", "2026-03-24T10:00:00Z", london());
        e.sequence = 3;
        let text = calendar("Stockwell, groups", &[e], now());
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        with_raw(&text, |components, props| {
            let get = |k: &str| {
                props
                    .iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(get("PRODID"), Some("-//groupwork//groupwork//EN"));
            assert_eq!(get("VERSION"), Some("2.0"));
            assert_eq!(get("CALSCALE"), Some("GREGORIAN"));
            assert_eq!(get("METHOD"), Some("PUBLISH"));
            assert_eq!(get("X-WR-CALNAME"), Some("Stockwell, groups"));
            let vevent = components
                .iter()
                .find(|c| c.name.as_str() == "VEVENT")
                .unwrap();
            assert_eq!(prop(vevent, "DTSTAMP"), Some("20260301T083000Z"));
            assert_eq!(prop(vevent, "LAST-MODIFIED"), Some("20260201T120000Z"));
            assert_eq!(prop(vevent, "SEQUENCE"), Some("3"));
        });
        let parsed = parse(&text);
        assert_eq!(parsed[0].get_sequence(), Some(3));
        assert_eq!(parsed[0].get_timestamp(), Some(now()));
        assert_eq!(
            parsed[0].get_last_modified(),
            Some(t("2026-02-01T12:00:00Z"))
        );
        assert_eq!(
            parsed[0].get_location(),
            Some("Stockwell Children's Centre, SW8 2PS")
        );
    }

    #[test]
    fn cancelled_and_confirmed_status() {
        let mut cancelled = event("session-2@groupwork", "2026-03-31T09:00:00Z", london());
        cancelled.cancelled = true;
        cancelled.sequence = 1;
        let events = [
            event("session-1@groupwork", "2026-03-24T10:00:00Z", london()),
            cancelled,
        ];
        let text = calendar("Groups", &events, now());
        let parsed = parse(&text);
        assert_eq!(parsed[0].property_value("STATUS"), Some("CONFIRMED"));
        assert_eq!(parsed[1].property_value("STATUS"), Some("CANCELLED"));
        assert_eq!(parsed[1].get_sequence(), Some(1));
        assert!(text.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(text.contains("\r\nSTATUS:CONFIRMED\r\n"));
    }

    #[test]
    fn text_is_escaped_and_round_trips() {
        let mut e = event("session-3@groupwork", "2026-03-24T10:00:00Z", london());
        e.summary = "Circle of Security; week 3, with crèche\nnew line".into();
        e.description = "Bring: a bottle\\nappy, wipes; a blanket\nAsk at reception".into();
        e.location = "Room 2; Stockwell Children's Centre, SW8".into();
        let text = calendar("Groups", &[e.clone()], now());
        assert!(text.contains("SUMMARY:Circle of Security\\; week 3\\, with crèche\\nnew line\r\n"));
        let parsed = parse(&text);
        assert_eq!(parsed[0].get_summary(), Some(e.summary.as_str()));
        assert_eq!(parsed[0].get_description(), Some(e.description.as_str()));
        assert_eq!(parsed[0].get_location(), Some(e.location.as_str()));
    }

    #[test]
    fn carriage_returns_and_controls_do_not_break_lines() {
        assert_eq!(escape("a\r\nb\rc\u{7}d\te"), "a\\nb\\ncd\te");
    }

    #[test]
    fn long_text_is_folded_at_75_octets_without_splitting_characters() {
        let mut e = event("session-4@groupwork", "2026-03-24T10:00:00Z", london());
        // Mixed widths (1, 2 and 3 octets) so that some fold points fall inside a character.
        e.description = (0..500)
            .map(|i| match i % 7 {
                0 => 'é',
                3 => '♥',
                5 => ' ',
                _ => char::from(b'a' + (i % 26) as u8),
            })
            .collect();
        assert_eq!(e.description.chars().count(), 500);
        let text = calendar("Groups", &[e.clone()], now());

        assert!(text.ends_with("\r\n"));
        let body = &text[..text.len() - 2];
        for line in body.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line end"
            );
        }
        assert!(
            body.split("\r\n").filter(|l| l.starts_with(' ')).count() >= 8,
            "the description was folded"
        );
        let parsed = parse(&text);
        assert_eq!(parsed[0].get_description(), Some(e.description.as_str()));
    }

    #[test]
    fn new_york_gets_its_own_vtimezone_and_local_times() {
        let ny = chrono_tz::America::New_York;
        let events = [
            // 10:00 EDT, and 10:00 EST before the March change.
            event("ny-1@groupwork", "2026-03-24T14:00:00Z", ny),
            event("ny-0@groupwork", "2026-01-13T15:00:00Z", ny),
        ];
        let text = calendar("Groups", &events, now());
        let parsed = parse(&text);
        assert_eq!(
            zoned(parsed[0].get_start()),
            ("20260324T100000".into(), "America/New_York".into())
        );
        assert_eq!(
            zoned(parsed[1].get_start()),
            ("20260113T100000".into(), "America/New_York".into())
        );
        assert_instants_round_trip(&text, &events);

        with_raw(&text, |components, _| {
            let zones = vtimezones(components);
            assert_eq!(zones.len(), 1);
            let vtz = zones[0];
            assert_eq!(prop(vtz, "TZID"), Some("America/New_York"));
            let parts: Vec<_> = vtz
                .components
                .iter()
                .map(|c| {
                    (
                        c.name.as_str(),
                        prop(c, "DTSTART").unwrap(),
                        prop(c, "TZOFFSETFROM").unwrap(),
                        prop(c, "TZOFFSETTO").unwrap(),
                        prop(c, "TZNAME").unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                parts,
                [
                    ("STANDARD", "20251231T190000", "-0500", "-0500", "EST"),
                    ("DAYLIGHT", "20260308T020000", "-0500", "-0400", "EDT"),
                    ("STANDARD", "20261101T020000", "-0400", "-0500", "EST"),
                ]
            );
            assert_vtimezone_matches(vtz, ny, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        });
    }

    #[test]
    fn generated_zones_agree_with_chrono_tz_over_the_span() {
        // Southern hemisphere (starts the year in daylight time), a half-hour shift, negative
        // daylight saving, and a span of several years.
        let cases = [
            (chrono_tz::Australia::Sydney, "2026-05-05T00:00:00Z", "2026"),
            (
                chrono_tz::Australia::Lord_Howe,
                "2026-05-05T00:00:00Z",
                "2026",
            ),
            (chrono_tz::Europe::Dublin, "2026-05-05T09:00:00Z", "2026"),
        ];
        for (tz, start, year) in cases {
            let events = [event("x@groupwork", start, tz)];
            let text = calendar("Groups", &events, now());
            assert_instants_round_trip(&text, &events);
            with_raw(&text, |components, _| {
                let vtz = vtimezones(components)[0];
                assert_eq!(prop(vtz, "TZID"), Some(tz.name()));
                // One observance for the start of the year and one per transition.
                assert_eq!(vtz.components.len(), 3, "{tz}");
                let from = format!("{year}-01-01T00:00:00Z");
                assert_vtimezone_matches(vtz, tz, &from, "2027-01-01T00:00:00Z");
            });
        }

        let paris = chrono_tz::Europe::Paris;
        let events = [
            event("p1@groupwork", "2025-06-03T08:00:00Z", paris),
            event("p2@groupwork", "2028-02-01T09:00:00Z", paris),
        ];
        let text = calendar("Groups", &events, now());
        assert_instants_round_trip(&text, &events);
        with_raw(&text, |components, _| {
            let vtz = vtimezones(components)[0];
            assert_eq!(vtz.components.len(), 1 + 4 * 2);
            assert_vtimezone_matches(vtz, paris, "2025-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
        });
    }

    #[test]
    fn dublin_summer_is_the_daylight_part() {
        let dublin = chrono_tz::Europe::Dublin;
        let text = calendar(
            "Groups",
            &[event("d@groupwork", "2026-05-05T09:00:00Z", dublin)],
            now(),
        );
        with_raw(&text, |components, _| {
            let vtz = vtimezones(components)[0];
            let summer = vtz
                .components
                .iter()
                .find(|c| prop(c, "TZNAME") == Some("IST"))
                .unwrap();
            assert_eq!(summer.name.as_str(), "DAYLIGHT");
            assert_eq!(prop(summer, "TZOFFSETTO"), Some("+0100"));
        });
    }

    #[test]
    fn fixed_offset_zone_has_one_standard_component() {
        let tokyo = chrono_tz::Asia::Tokyo;
        let events = [event("tokyo@groupwork", "2026-03-24T01:00:00Z", tokyo)];
        let text = calendar("Groups", &events, now());
        let parsed = parse(&text);
        assert_eq!(
            zoned(parsed[0].get_start()),
            ("20260324T100000".into(), "Asia/Tokyo".into())
        );
        assert_instants_round_trip(&text, &events);
        with_raw(&text, |components, _| {
            let vtz = vtimezones(components)[0];
            assert_eq!(vtz.components.len(), 1);
            let only = &vtz.components[0];
            assert_eq!(only.name.as_str(), "STANDARD");
            assert_eq!(prop(only, "TZOFFSETFROM"), Some("+0900"));
            assert_eq!(prop(only, "TZOFFSETTO"), Some("+0900"));
            assert_eq!(prop(only, "TZNAME"), Some("JST"));
        });

        // A zone without a letter abbreviation still gets a valid observance, just no TZNAME.
        let sao_paulo = chrono_tz::America::Sao_Paulo;
        let text = calendar(
            "Groups",
            &[event("sp@groupwork", "2026-03-24T13:00:00Z", sao_paulo)],
            now(),
        );
        with_raw(&text, |components, _| {
            let vtz = vtimezones(components)[0];
            assert_eq!(vtz.components.len(), 1);
            assert_eq!(prop(&vtz.components[0], "TZOFFSETTO"), Some("-0300"));
        });
    }

    #[test]
    fn one_vtimezone_per_zone_in_order_of_use() {
        let ny = chrono_tz::America::New_York;
        let events = [
            event("a@groupwork", "2026-03-24T10:00:00Z", london()),
            event("b@groupwork", "2026-03-24T14:00:00Z", ny),
            event("c@groupwork", "2026-03-31T09:00:00Z", london()),
        ];
        let text = calendar("Groups", &events, now());
        assert_instants_round_trip(&text, &events);
        with_raw(&text, |components, _| {
            let ids: Vec<_> = vtimezones(components)
                .iter()
                .map(|z| prop(z, "TZID").unwrap())
                .collect();
            assert_eq!(ids, ["Europe/London", "America/New_York"]);
        });
        assert!(calendar("Groups", &[], now()).contains("X-WR-CALNAME:Groups\r\nEND:VCALENDAR"));
    }

    #[test]
    fn the_repeated_hour_is_written_unambiguously() {
        // 01:30 happens twice in London on 2026-10-25: 00:30Z (BST) then 01:30Z (GMT).
        let first = event("first@groupwork", "2026-10-25T00:30:00Z", london());
        let second = event("second@groupwork", "2026-10-25T01:30:00Z", london());
        let text = calendar("Groups", &[first.clone(), second.clone()], now());
        assert!(text.contains("DTSTART;TZID=Europe/London:20261025T013000\r\n"));
        assert!(text.contains("DTSTART:20261025T013000Z\r\n"));
        assert_instants_round_trip(&text, &[first, second]);
    }

    #[test]
    fn utc_offsets_are_formatted() {
        assert_eq!(utc_offset(0), "+0000");
        assert_eq!(utc_offset(-5 * 3600), "-0500");
        assert_eq!(utc_offset(5 * 3600 + 45 * 60), "+0545");
        assert_eq!(utc_offset(-(3600 + 15 * 60 + 30)), "-011530");
    }
}
