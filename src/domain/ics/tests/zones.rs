//! Tests of local times and the generated VTIMEZONEs.

use super::*;

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
