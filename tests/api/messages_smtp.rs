//! Families told of their bookings by email (issue 14), end to end: the app's delivery worker
//! sends through lettre to a real SMTP server (aiosmtpd, `tests/common/smtp.rs`), and what the
//! server stored is read back with independent parsers (mail-parser for the MIME, icalendar for
//! the attachment). Each test runs on SQLite and on PostgreSQL.

use crate::bookings::{cosp_group, parent};
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, spawn, Backend, TestApp, PASSWORD};
use crate::smtp::{Mail, SmtpServer};
use chrono::Duration as Delta;
use groupwork::domain::message::MessageStatus;
use groupwork::domain::role::Role;
use groupwork::store::{self, messages::Message};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, Event};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Declares a test that runs once on SQLite and once on PostgreSQL, with an SMTP server of its
/// own and the app's delivery worker sending through it.
macro_rules! smtp_test {
    (fn $name:ident($app:ident, $smtp:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($app: TestApp, $smtp: SmtpServer) $body
            #[test]
            fn sqlite() {
                $crate::messages_smtp::run_with_smtp($crate::helpers::Backend::Sqlite, run)
            }
            #[test]
            fn postgres() {
                $crate::messages_smtp::run_with_smtp($crate::helpers::Backend::Postgres, run)
            }
        }
    };
}
pub(crate) use smtp_test;

/// Runs `test` with an SMTP server of its own and the delivery worker sending through it.
pub(crate) fn run_with_smtp(backend: Backend, test: fn(TestApp, SmtpServer)) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let url = smtp.url();
    let app = spawn(backend, |c| {
        c.delivery = true;
        c.smtp_url = Some(url);
        c.delivery_poll_ms = 50;
        // Retries wait 100 ms doubling to 1 s, on the app's clock: the test moves it.
        c.retry_base_ms = 100;
        c.retry_cap_secs = 1;
    });
    if let Some(app) = app {
        test(app, smtp);
    }
}

/// Every row of the outbox, newest first.
fn outbox(app: &TestApp) -> Vec<Message> {
    let mut conn = app.state.pool.get().unwrap();
    store::messages::list(&mut conn, &Default::default(), 10_000, 0)
        .unwrap()
        .items
}

/// Polls `check` until it gives a value, failing with `what` after `within`.
fn until<T>(what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The words `id` in `lang`'s Fluent file, with the group's title put in.
fn words(lang: &str, id: &str, group: &str) -> String {
    let path = format!("{}/locales/{lang}/messages.ftl", env!("CARGO_MANIFEST_DIR"));
    let ftl = std::fs::read_to_string(&path).unwrap();
    let line = ftl
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{id} = ")))
        .unwrap_or_else(|| panic!("{path} has no {id}"));
    line.trim().replace("{ $group }", group)
}

fn book(app: &TestApp, token: &str, cohort: i64) -> reqwest::blocking::Response {
    app.post(
        &format!("/api/v1/cohorts/{cohort}/bookings"),
        Some(token),
        &json!({}),
    )
}

/// The cohort as the API shows it to a coordinator.
fn cohort_view(app: &TestApp, cohort: i64) -> Value {
    let co = Coordinator::new(app);
    ok_json(app.get(&format!("/api/v1/cohorts/{cohort}"), co.t()), 200)
}

/// The calendar attached to `mail`, parsed by the icalendar crate; its events by UID.
fn attached_calendar(mail: &Mail) -> (Calendar, BTreeMap<String, Event>) {
    let ics = mail.attachment("text/calendar");
    assert_eq!(ics.method.as_deref(), Some("PUBLISH"), "{:?}", mail.subject);
    assert!(
        ics.name.as_deref().is_some_and(|n| n.ends_with(".ics")),
        "{:?}",
        ics.name
    );
    let text = String::from_utf8(ics.bytes.clone()).expect("the calendar is UTF-8");
    let cal: Calendar = text.parse().expect("a calendar icalendar reads");
    let events = cal
        .events()
        .map(|e| (e.get_uid().expect("a UID").to_string(), e.clone()))
        .collect();
    (cal, events)
}

/// Parents with a family (email `{prefix}-{i}@example.org`) and an eligible child, made
/// straight in the store in one transaction (registering through the API hashes a password
/// each time); returns their tokens and emails.
fn families(app: &TestApp, prefix: &str, n: usize) -> Vec<(String, String)> {
    use diesel::Connection;
    let hash = groupwork::auth::password::hash(PASSWORD).unwrap();
    let now = app.state.now_naive();
    let born = chrono::NaiveDate::from_ymd_opt(2025, 1, 10);
    let mut conn = app.state.pool.get().unwrap();
    let made = conn
        .transaction::<_, diesel::result::Error, _>(|c| {
            (0..n)
                .map(|i| {
                    let email = format!("{prefix}-{i}@example.org");
                    let user = store::users::insert(
                        c,
                        store::users::NewUser {
                            email: &email,
                            password_hash: &hash,
                            display_name: "Parent",
                            role: Role::Parent,
                            now,
                        },
                    )?;
                    let family =
                        store::families::create_for_user(c, user.id, "Parent", &email, now)?;
                    store::families::add_child(c, family.id, "Kid", born, None, now)?;
                    Ok((user.id, email))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    made.into_iter()
        .map(|(id, email)| (app.token_as(id as i64, Role::Parent), email))
        .collect()
}

smtp_test! {
    fn a_booking_is_confirmed_by_email_in_the_familys_language(app, smtp) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let view = cohort_view(&app, cohort);
        let title = view["title"].as_str().unwrap().to_string();
        let sessions = view["sessions"].as_array().unwrap().clone();
        assert!(sessions.len() >= 8, "{view}");

        let (ann, _) = parent(&app, "ann@example.org", "2025-01-10");
        let (rosa, _) = parent(&app, "rosa@example.org", "2025-01-10");
        let profile = json!({"carers": ["Rosa Silva"], "email": "rosa@example.org", "preferred_language": "pt",
                          "referral_source": "self"});
        ok_json(app.req(Method::PUT, "/api/v1/me/family", Some(&rosa)).json(&profile).send().unwrap(), 200);
        assert_eq!(ok_json(book(&app, &ann, cohort), 201)["status"], "confirmed");
        assert_eq!(ok_json(book(&app, &rosa, cohort), 201)["status"], "confirmed");

        let mails = smtp.wait_for(2, Duration::from_secs(15));
        assert_eq!(mails.len(), 2, "two confirmations: {:?}", mails.iter().map(|m| &m.to).collect::<Vec<_>>());
        let sent = until("both messages recorded as sent", Duration::from_secs(5), || {
            let rows = outbox(&app);
            rows.iter().all(|m| m.status == MessageStatus::Sent).then_some(rows)
        });
        for (lang, email) in [("en", "ann@example.org"), ("pt", "rosa@example.org")] {
            let mail = mails.iter().find(|m| m.to == [email]).unwrap_or_else(|| panic!("no mail to {email}"));
            assert_eq!(mail.subject, words(lang, "booking-confirmed-subject", &title), "{lang}");
            let greeting = words(lang, "greeting", &title);
            assert!(mail.text.contains(&greeting), "{lang} text part: {}", mail.text);
            assert!(mail.text.contains(&title), "{lang} text names the group: {}", mail.text);
            assert!(mail.html.contains(&format!("<html lang=\"{lang}\">")), "{lang} html part: {}", mail.html);
            assert!(mail.html.contains(&greeting), "{lang} html part: {}", mail.html);
            // The Message-ID is the outbox row's own reference.
            let row = sent.iter().find(|m| m.recipient == email).unwrap();
            assert_eq!(mail.message_id, format!("{}@localhost", row.reference));
            assert_eq!((row.provider.as_str(), row.attempts), ("smtp", 1));

            let (cal, events) = attached_calendar(mail);
            assert_eq!(cal.property_value("METHOD"), Some("PUBLISH"));
            assert_eq!(events.len(), sessions.len(), "one VEVENT per session");
            for s in &sessions {
                let uid = format!("session-{}@groupwork", s["id"]);
                let e = events.get(&uid).unwrap_or_else(|| panic!("no {uid} in {:?}", events.keys()));
                let Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) = e.get_start() else {
                    panic!("{uid} has no zoned start");
                };
                assert_eq!(tzid, "Europe/London");
                let local = chrono::DateTime::parse_from_rfc3339(s["local_start"].as_str().unwrap()).unwrap();
                assert_eq!(date_time, local.naive_local(), "{uid} starts when the API says");
                assert_eq!(e.property_value("STATUS"), Some("CONFIRMED"), "{uid}");
            }
        }
        // Nothing else was sent.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(smtp.messages().len(), 2);
    }
}

smtp_test! {
    fn a_cancelled_booking_withdraws_the_same_events_from_the_calendar(app, smtp) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let title = cohort_view(&app, cohort)["title"].as_str().unwrap().to_string();
        let (ann, _) = parent(&app, "ann@example.org", "2025-01-10");
        let booking = ok_json(book(&app, &ann, cohort), 201);
        let mails = smtp.wait_for(1, Duration::from_secs(15));
        assert_eq!(mails.len(), 1);
        let confirmation = mails[0].clone();
        assert_eq!(confirmation.subject, words("en", "booking-confirmed-subject", &title));
        let (_, booked) = attached_calendar(&confirmation);

        let res = app.req(Method::DELETE, &format!("/api/v1/bookings/{}", booking["id"]), Some(&ann)).send().unwrap();
        assert_eq!(res.status(), 204);
        let mails = smtp.wait_for(2, Duration::from_secs(15));
        assert_eq!(mails.len(), 2);
        let subject = words("en", "booking-cancelled-subject", &title);
        let cancelled = mails.iter().find(|m| m.subject == subject)
            .unwrap_or_else(|| panic!("no {subject:?} among {:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
        assert_eq!(cancelled.to, ["ann@example.org"]);
        assert_ne!(cancelled.message_id, confirmation.message_id);
        assert!(cancelled.html.contains(&words("en", "greeting", &title)), "{}", cancelled.html);

        let (cal, withdrawn) = attached_calendar(cancelled);
        assert_eq!(cal.property_value("METHOD"), Some("PUBLISH"));
        assert_eq!(withdrawn.keys().collect::<Vec<_>>(), booked.keys().collect::<Vec<_>>(), "the same UIDs");
        for (uid, e) in &withdrawn {
            assert_eq!(e.property_value("STATUS"), Some("CANCELLED"), "{uid}");
            let (was, now) = (booked[uid].get_sequence().unwrap(), e.get_sequence().unwrap());
            assert!(now > was, "{uid}: SEQUENCE {now} after {was}");
        }
    }
}

smtp_test! {
    fn bookings_made_while_the_mail_server_is_down_are_all_sent_once_it_is_back(app, smtp) {
        const N: usize = 200;
        let mut smtp = smtp;
        let cohort = cosp_group(&app, N as i32, 2, 10);
        let parents = families(&app, "family", N);
        smtp.stop();
        for (token, email) in &parents {
            assert_eq!(ok_json(book(&app, token, cohort), 201)["status"], "confirmed", "{email}");
        }
        // Every message was tried, refused a connection, and waits its turn again.
        let waiting = until("every message tried once", Duration::from_secs(20), || {
            let rows = outbox(&app);
            (rows.len() == N && rows.iter().all(|m| m.status == MessageStatus::Queued && m.attempts >= 1))
                .then_some(rows)
        });
        assert!(waiting.iter().all(|m| !m.last_error.is_empty()), "{:?}", waiting[0].last_error);
        assert!(smtp.messages().is_empty());
        // The app's clock stands still, so nothing is due again yet.
        std::thread::sleep(Duration::from_millis(300));
        let attempts = |rows: &[Message]| rows.iter().map(|m| (m.id, m.attempts)).collect::<BTreeMap<_, _>>();
        assert_eq!(attempts(&outbox(&app)), attempts(&waiting), "no retry before the backoff ends");

        smtp.restart();
        // Past the longest backoff (1 s and its jitter).
        app.clock.advance(Delta::seconds(2));
        let mails = smtp.wait_for(N, Duration::from_secs(30));
        assert_eq!(mails.len(), N, "all {N} arrived");
        let rows = until("every message recorded as sent", Duration::from_secs(10), || {
            let rows = outbox(&app);
            rows.iter().all(|m| m.status == MessageStatus::Sent).then_some(rows)
        });
        // A moment for any duplicate to land.
        std::thread::sleep(Duration::from_millis(500));
        let mails = smtp.messages();
        assert_eq!(mails.len(), N, "each exactly once");
        let ids: BTreeSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids.len(), N, "distinct Message-IDs");
        let references: BTreeSet<String> = rows.iter().map(|m| format!("{}@localhost", m.reference)).collect();
        assert_eq!(ids, references.iter().map(String::as_str).collect(), "one email per outbox row");
        let to: BTreeSet<&str> = mails.iter().flat_map(|m| m.to.iter().map(String::as_str)).collect();
        let families: BTreeSet<&str> = parents.iter().map(|(_, e)| e.as_str()).collect();
        assert_eq!(to, families, "every family told");
    }
}

smtp_test! {
    fn a_refused_address_fails_at_once_and_a_deferred_one_is_tried_again(app, smtp) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let (rejected, _) = parent(&app, "reject-ann@example.org", "2025-01-10");
        let (deferred, _) = parent(&app, "tempfail-bea@example.org", "2025-01-10");
        ok_json(book(&app, &rejected, cohort), 201);
        ok_json(book(&app, &deferred, cohort), 201);
        let row = |rows: &[Message], to: &str| rows.iter().find(|m| m.recipient == to).cloned().unwrap();
        let rows = until("both tried", Duration::from_secs(10), || {
            let rows = outbox(&app);
            (rows.len() == 2 && rows.iter().all(|m| m.status != MessageStatus::Sending && m.attempts >= 1)).then_some(rows)
        });
        let refused = row(&rows, "reject-ann@example.org");
        assert_eq!((refused.status, refused.attempts), (MessageStatus::Failed, 1));
        assert!(refused.last_error.contains("550") && refused.last_error.contains("mailbox unavailable"), "{}", refused.last_error);
        let later = row(&rows, "tempfail-bea@example.org");
        assert_eq!((later.status, later.attempts), (MessageStatus::Queued, 1));
        assert!(later.last_error.contains("451") && later.last_error.contains("try again later"), "{}", later.last_error);

        // Past the backoff: the deferred one is tried again (and deferred again); the refused
        // one is not.
        app.clock.advance(Delta::seconds(2));
        let rows = until("a second try", Duration::from_secs(10), || {
            let rows = outbox(&app);
            let m = row(&rows, "tempfail-bea@example.org");
            (m.attempts >= 2 && m.status == MessageStatus::Queued).then_some(rows)
        });
        assert!(row(&rows, "tempfail-bea@example.org").last_error.contains("451"));
        assert_eq!(row(&rows, "reject-ann@example.org").attempts, 1, "a refusal is not retried");
        assert_eq!(row(&rows, "reject-ann@example.org").status, MessageStatus::Failed);

        // The connection survives the refusals: a family with a good address still hears.
        let (ann, _) = parent(&app, "ann@example.org", "2025-01-10");
        ok_json(book(&app, &ann, cohort), 201);
        let mails = smtp.wait_for(1, Duration::from_secs(15));
        assert_eq!(mails.iter().map(|m| m.to.clone()).collect::<Vec<_>>(), [["ann@example.org"]]);
    }
}

smtp_test! {
    fn a_refused_booking_leaves_no_message(app, smtp) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let count = || outbox(&app).len();
        let (ann, _) = parent(&app, "ann@example.org", "2025-01-10");
        assert_eq!(count(), 0);
        ok_json(book(&app, &ann, cohort), 201);
        assert_eq!(count(), 1, "a booking writes its message");

        // Already booked (409), and a child too old for the group (422).
        problem(book(&app, &ann, cohort), 409);
        let (old, _) = parent(&app, "old@example.org", "2019-01-10");
        problem(book(&app, &old, cohort), 422);
        assert_eq!(count(), 1, "refused bookings write none");

        let mails = smtp.wait_for(1, Duration::from_secs(15));
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(mails.len(), 1);
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(mails[0].to, ["ann@example.org"]);
    }
}
