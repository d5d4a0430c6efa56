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
/// with UID, DTSTAMP (= `now`: when the information was last revised, UTC form), SEQUENCE, LAST-MODIFIED, SUMMARY, DESCRIPTION, LOCATION,
/// `DTSTART;TZID=<zone>:YYYYMMDDTHHMMSS` and `DTEND;TZID=...` in local time of the event's zone,
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
mod tests;
