//! Tests of calendar and event properties, status, escaping and line folding.

use super::*;

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
