//! Messages in the family's language: Portuguese and Polish families get their own words (as the
//! translators wrote them in `locales/*/messages.ftl`) with dates written their language's way;
//! a Somali-speaking family, whose language the service does not write, gets English. Read from
//! the outbox rows; no provider is needed.

use crate::bookings::{cosp_group, parent};
use crate::db_test;
use crate::helpers::{ok_json, TestApp};
use groupwork::domain::message::{Channel, Language, MessageKind};
use groupwork::store::{self, messages::Message};
use serde_json::json;

/// The words of `id` as written in a language's Fluent file (single-line messages only).
fn words(lang: &str, id: &str) -> String {
    let file = match lang {
        "en" => include_str!("../../locales/en/messages.ftl"),
        "pt" => include_str!("../../locales/pt/messages.ftl"),
        "pl" => include_str!("../../locales/pl/messages.ftl"),
        other => panic!("no words file for {other}"),
    };
    let start = format!("{id} = ");
    file.lines()
        .find_map(|l| l.strip_prefix(&start))
        .unwrap_or_else(|| panic!("{id} is not in {lang}"))
        .to_string()
}

/// `words` with its values filled in.
fn filled(lang: &str, id: &str, values: &[(&str, &str)]) -> String {
    let mut text = words(lang, id);
    for (name, value) in values {
        text = text.replace(&format!("{{ ${name} }}"), value);
    }
    assert!(!text.contains("{ $"), "a value is missing: {text}");
    text
}

/// A family speaking `lang` (told by email and text), booked on the group; returns its id.
fn family(app: &TestApp, email: &str, lang: &str, cohort: i64) -> i32 {
    let (token, _) = parent(app, email, "2025-01-10");
    let body = json!({"carers": ["Parent"], "phone": "07700 900123", "preferred_language": lang,
                      "referral_source": "self", "contact_by": "both"});
    let f = ok_json(
        app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&token))
            .json(&body)
            .send()
            .unwrap(),
        200,
    );
    assert_eq!(f["preferred_language"], lang);
    let b = app.post(
        &format!("/api/v1/cohorts/{cohort}/bookings"),
        Some(&token),
        &json!({}),
    );
    assert_eq!(ok_json(b, 201)["status"], "confirmed");
    // As the family would, with the link their confirmation carried: reminders go by email too.
    app.confirm_email(email);
    f["id"].as_i64().unwrap() as i32
}

fn message(app: &TestApp, family: i32, kind: MessageKind, channel: Channel) -> Message {
    let mut conn = app.state.pool.get().unwrap();
    let all = store::messages::of_family(&mut conn, family).unwrap();
    let mut found = all
        .iter()
        .filter(|m| m.kind == kind && m.channel == channel);
    let m = found
        .next()
        .unwrap_or_else(|| panic!("no {kind} by {channel}: {all:#?}"));
    assert!(found.next().is_none(), "one {kind} by {channel}");
    m.clone()
}

db_test! {
    fn families_read_their_own_language_and_dates_written_its_way(app) {
        // Tuesdays at 10:00 from 3 March 2026; the fifth session, 31 March, is in summer time.
        let cohort = cosp_group(&app, 10, 2, 10);
        let listing = ok_json(app.get("/api/v1/listings", None), 200);
        let group = listing["items"][0]["title"].as_str().unwrap().to_string();
        let link = app.state.config.family_url.clone();
        let session = &listing["items"][0]["sessions"][0];
        assert_eq!(session["local_start"], "2026-03-03T10:00:00+00:00");
        let pt = family(&app, "ana@example.org", "pt", cohort);
        let pl = family(&app, "zofia@example.org", "pl", cohort);
        let so = family(&app, "hodan@example.org", "so", cohort);

        // (language, family, the first session's date and the fifth's, as written there)
        let cases = [
            ("pt", pt, Language::Pt, "terça, 3 de março de 2026", "terça, 31 de março de 2026"),
            ("pl", pl, Language::Pl, "wtorek, 3 marca 2026", "wtorek, 31 marca 2026"),
            ("en", so, Language::En, "Tuesday 3 March 2026", "Tuesday 31 March 2026"),
        ];
        for (lang, id, written_in, first, fifth) in cases {
            let email = message(&app, id, MessageKind::BookingConfirmed, Channel::Email);
            assert_eq!(email.language, written_in, "{lang}");
            assert_eq!(email.subject, filled(lang, "booking-confirmed-subject", &[("group", &group)]));
            let body = &email.body_text;
            for expected in [
                words(lang, "greeting"),
                filled(lang, "booking-confirmed-intro", &[("group", &group)]),
                words(lang, "sessions-heading"),
                // COSP sessions last two hours: 10:00 to 12:00 local time, in winter and in summer.
                filled(lang, "session-line", &[("date", first), ("start", "10:00"), ("end", "12:00")]),
                filled(lang, "session-line", &[("date", fifth), ("start", "10:00"), ("end", "12:00")]),
                filled(lang, "see-bookings", &[("link", &link)]),
            ] {
                assert!(body.contains(&expected), "{lang}: {expected:?} is not in\n{body}");
            }
            let sms = message(&app, id, MessageKind::BookingConfirmed, Channel::Sms);
            assert_eq!(sms.body_text, filled(lang, "booking-confirmed-sms", &[("group", &group), ("date", first), ("start", "10:00"), ("link", &link)]));
        }
        // Not English words with a translated subject: the Portuguese body says nothing in English.
        let pt_body = message(&app, pt, MessageKind::BookingConfirmed, Channel::Email).body_text;
        assert!(!pt_body.contains("Good news") && !pt_body.contains("March"), "{pt_body}");

        // The reminders, the day before at 10:00, are in each family's language too.
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z").unwrap().into());
        actix_web::rt::System::new()
            .block_on(groupwork::service::messages::queue_due_reminders(&app.state.services))
            .unwrap();
        for (lang, id, date) in [("pt", pt, "terça, 3 de março de 2026"), ("pl", pl, "wtorek, 3 marca 2026"), ("en", so, "Tuesday 3 March 2026")] {
            let r = message(&app, id, MessageKind::Reminder, Channel::Email);
            assert_eq!(r.subject, filled(lang, "reminder-subject", &[("group", &group), ("date", date), ("start", "10:00")]));
            let sms = message(&app, id, MessageKind::Reminder, Channel::Sms);
            assert_eq!(sms.body_text, filled(lang, "reminder-sms", &[("group", &group), ("date", date), ("start", "10:00"), ("venue", "Stockwell Children's Centre"), ("link", &link)]));
        }
    }
}
