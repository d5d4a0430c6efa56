//! Delivery under faults (issue 14), with real `groupwork serve` processes and a real SMTP server
//! (aiosmtpd, `tests/common/smtp.rs`):
//!
//! * kill -9 mid-delivery: a process SIGKILLed while sending a batch, restarted on the same
//!   database, delivers every message; only the batch in flight at the kill may arrive twice
//!   (its rows were still `sending`: the restarted process takes them back when the lease ends).
//! * two processes on one PostgreSQL deliver 1,000 messages, none twice (`FOR UPDATE SKIP
//!   LOCKED`); the control, with the claim's lock switched off
//!   (`GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS`), shows the double sends it prevents.
//!
//! Each email's `Message-ID` is `<reference@fault.example>`, so every message that arrived is
//! matched to its row. The messages are written straight into the outbox (the rows a booking
//! writes): what is under test is their delivery.

use crate::seed::open;
use crate::server::{start_server, Server, TestDb};
use crate::smtp::{Mail, SmtpServer};
use groupwork::db::write_transaction;
use groupwork::domain::message::{Channel, Language, MessageKind, MessageStatus};
use groupwork::store;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Messages taken at once by a worker: at most this many can be in flight when a process dies.
const BATCH: usize = 10;
const DOMAIN: &str = "fault.example";

/// The settings of a delivering child: SMTP to `smtp`, small batches, a 2 s lease (so the
/// restarted process takes back the dead one's batch quickly) and a short poll (lease ends and
/// messages written by the test wake no one).
fn env(smtp: &SmtpServer, sender: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GROUPWORK_SMTP_URL", smtp.url()),
        (
            "GROUPWORK_MAIL_FROM",
            format!("{sender} <groupwork@{DOMAIN}>"),
        ),
        ("GROUPWORK_DELIVERY_BATCH", BATCH.to_string()),
        // A connection for each message of a batch, kept open between batches.
        ("GROUPWORK_SMTP_POOL", BATCH.to_string()),
        ("GROUPWORK_DELIVERY_LEASE_SECS", "2".into()),
        ("GROUPWORK_DELIVERY_POLL_MS", "50".into()),
        ("GROUPWORK_RETRY_BASE_MS", "50".into()),
    ]
}

fn start(url: &str, env: &[(&'static str, String)], name: &str) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    start_server(url, &env, name)
}

/// Writes `n` queued emails into the outbox in one transaction (migrating a new SQLite file
/// first); returns their references.
fn queue(url: &str, n: usize) -> Vec<String> {
    let mut conn = open(url);
    groupwork::db::run_migrations(&mut conn).expect("migrate");
    // Due a moment ago by the children's (system) clock.
    let at = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(5);
    write_transaction(&mut conn, |c| {
        (0..n)
            .map(|i| {
                let reference = groupwork::messages::outbox::new_reference();
                let m = store::messages::NewMessage {
                    reference: reference.clone(),
                    family_id: None,
                    booking_id: None,
                    cohort_id: None,
                    session_id: None,
                    kind: MessageKind::BookingConfirmed,
                    channel: Channel::Email,
                    recipient: format!("family{i}@families.example"),
                    language: Language::En,
                    subject: format!("Your place is confirmed ({i})"),
                    body_text: "See you on Tuesday at 10:00.".into(),
                    body_html: "<p>See you on Tuesday at 10:00.</p>".into(),
                    calendar: String::new(),
                    dedupe_key: None,
                    status: MessageStatus::Queued,
                    last_error: String::new(),
                    resent_from: None,
                    staff_id: None,
                    user_id: None,
                };
                store::messages::insert(c, &m, at).map(|_| reference)
            })
            .collect::<Result<Vec<_>, diesel::result::Error>>()
    })
    .expect("queue the messages")
}

/// How many rows are in each status.
fn backlog(url: &str) -> HashMap<String, i64> {
    store::messages::backlog(&mut open(url))
        .expect("backlog")
        .into_iter()
        .collect()
}

fn in_status(backlog: &HashMap<String, i64>, status: &str) -> usize {
    backlog.get(status).copied().unwrap_or(0) as usize
}

/// Waits (at most `within`) until all `n` rows are `sent`; fails with the backlog otherwise.
fn wait_all_sent(url: &str, n: usize, within: Duration, logs: &dyn Fn() -> String) {
    let deadline = Instant::now() + within;
    loop {
        let now = backlog(url);
        if in_status(&now, "sent") == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not all {n} messages sent within {within:?}: {now:?}\nserver logs:\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The messages that arrived, counted by `Message-ID`; every one must be one of `references`,
/// and every reference must have arrived.
fn arrivals<'a>(mails: &'a [Mail], references: &[String]) -> HashMap<&'a str, usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in mails {
        *seen.entry(m.message_id.as_str()).or_default() += 1;
    }
    let expected: Vec<String> = references.iter().map(|r| format!("{r}@{DOMAIN}")).collect();
    let missing = expected
        .iter()
        .filter(|id| !seen.contains_key(id.as_str()))
        .count();
    assert_eq!(
        missing,
        0,
        "{missing} of {} messages never arrived",
        references.len()
    );
    let strangers: Vec<&&str> = seen
        .keys()
        .filter(|id| !expected.iter().any(|e| e == **id))
        .collect();
    assert!(strangers.is_empty(), "unknown Message-IDs: {strangers:?}");
    seen
}

/// The Message-IDs that arrived more than once.
fn duplicates<'a>(seen: &HashMap<&'a str, usize>) -> Vec<&'a str> {
    let mut twice: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    twice.sort_unstable();
    twice
}

/// Attempts per reference, from the rows.
fn attempts(url: &str) -> HashMap<String, i32> {
    use diesel::prelude::*;
    use groupwork::db::schema::messages as ms;
    ms::table
        .select((ms::reference, ms::attempts))
        .load::<(String, i32)>(&mut open(url))
        .expect("attempts")
        .into_iter()
        .collect()
}

const KILL_DELIVERY: usize = 400;
/// Arrivals before the kill: well into the run, far from its end, and not a whole number of
/// batches, so the kill lands part-way through one.
const KILL_AFTER: usize = 125;

fn kill_mid_delivery(db: TestDb, label: &str) {
    // 5 ms a message keeps a batch on the wire long enough for the kill to land inside one.
    let Some(smtp) = SmtpServer::start_slow(Duration::from_millis(5)) else {
        return;
    };
    let started = Instant::now();
    let url = db.url().to_string();
    let references = queue(&url, KILL_DELIVERY);
    let env = env(&smtp, "Stockwell Children's Centre");

    let mut first = start(&url, &env, &format!("deliver-{label}-a"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while smtp.count() < KILL_AFTER && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    first.kill9();
    let at_kill = smtp.count();
    let log_a = first.log_text();
    drop(first);
    // A message whose DATA was on the wire is still stored by the (slow) server after the kill.
    std::thread::sleep(Duration::from_millis(300));
    let before = smtp.count();
    let rows = backlog(&url);
    let (sent_rows, in_flight) = (in_status(&rows, "sent"), in_status(&rows, "sending"));
    assert!(
        before >= KILL_AFTER,
        "only {before} messages arrived in 30 s\nserver log:\n{log_a}"
    );
    // The kill must land mid-delivery, or this test shows nothing.
    assert!(
        before < KILL_DELIVERY && sent_rows < KILL_DELIVERY,
        "the kill landed after the delivery ended: {before} arrived, rows {rows:?}"
    );
    assert!(
        in_flight <= BATCH,
        "at most one batch is taken at a time: {rows:?}"
    );

    let second = start(&url, &env, &format!("deliver-{label}-b"));
    let logs = || format!("{log_a}\n--- restarted:\n{}", second.log_text());
    wait_all_sent(&url, KILL_DELIVERY, Duration::from_secs(30), &logs);
    let mails = smtp.messages();
    let seen = arrivals(&mails, &references);
    let twice = duplicates(&seen);
    assert!(
        seen.values().all(|n| *n <= 2),
        "a message arrived three times"
    );
    // Only the batch that was in flight could be sent twice; those rows (and only those) were
    // taken again after the lease ran out.
    let tries = attempts(&url);
    let retaken = tries.values().filter(|a| **a > 1).count();
    assert_eq!(
        retaken, in_flight,
        "the restarted process took back the rows in flight at the kill, and only those"
    );
    for id in &twice {
        let reference = id.trim_end_matches(&format!("@{DOMAIN}"));
        assert_eq!(
            tries.get(reference),
            Some(&2),
            "{id} arrived twice: it was in flight at the kill"
        );
    }
    assert!(
        twice.len() <= in_flight,
        "{} duplicates, {in_flight} in flight",
        twice.len()
    );
    eprintln!(
        "kill -9 mid-delivery ({label}): {} delivered, {} duplicates (killed when {at_kill} had \
         arrived, {before} once the server had stored what was on the wire; {sent_rows} rows \
         sent, {in_flight} in flight; batch {BATCH}); {:.1?} in all",
        seen.len(),
        twice.len(),
        started.elapsed()
    );
}

#[test]
fn kill_9_mid_delivery_sqlite() {
    kill_mid_delivery(TestDb::sqlite("deliverkill"), "sqlite");
}

#[test]
fn kill_9_mid_delivery_postgres() {
    if let Some(db) = TestDb::postgres("deliverkill") {
        kill_mid_delivery(db, "postgres");
    }
}

const SHARED_DELIVERY: usize = 1000;

/// Two processes deliver the same outbox to the same server; returns how many Message-IDs
/// arrived more than once. Checks that all arrived and that both processes sent some.
fn two_processes(guarded: bool) -> Option<usize> {
    let smtp = SmtpServer::start()?;
    let db = TestDb::postgres(if guarded { "deliver2" } else { "deliver2ctl" })?;
    let url = db.url().to_string();
    let label = if guarded {
        "locked"
    } else {
        "control, no lock"
    };
    let servers: Vec<Server> = ["Worker A", "Worker B"]
        .iter()
        .map(|sender| {
            let mut env = env(&smtp, sender);
            if !guarded {
                env.push(("GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS", "1".into()));
            }
            start(&url, &env, &format!("deliver2-{}", &sender[7..]))
        })
        .collect();
    // Written after both are up, in one transaction: both find them at their next poll.
    let started = Instant::now();
    let references = queue(&url, SHARED_DELIVERY);
    let logs = || {
        servers
            .iter()
            .map(Server::log_text)
            .collect::<Vec<_>>()
            .join("\n---\n")
    };
    wait_all_sent(&url, SHARED_DELIVERY, Duration::from_secs(40), &logs);
    let took = started.elapsed();
    drop(servers);
    let mails = smtp.messages();
    let seen = arrivals(&mails, &references);
    let twice = duplicates(&seen);
    // The sender's name says which process sent each email.
    let by = |name: &str| mails.iter().filter(|m| m.from_name == name).count();
    let (a, b) = (by("Worker A"), by("Worker B"));
    assert_eq!(a + b, mails.len(), "every email came from one of the two");
    eprintln!(
        "two processes on one PostgreSQL ({label}): {} messages, {} emails arrived (A sent {a}, \
         B {b}), {} duplicates; {took:.1?}",
        seen.len(),
        mails.len(),
        twice.len()
    );
    assert!(a > 0 && b > 0, "both processes took part: A {a}, B {b}");
    Some(twice.len())
}

#[test]
fn two_processes_on_one_postgres_deliver_1000_messages_none_twice() {
    if let Some(twice) = two_processes(true) {
        assert_eq!(twice, 0, "no message sent twice");
    }
}

/// The control: the same run with the claim's lock off sends some messages twice, so the test
/// above can see a double send when there is one.
#[test]
fn control_two_processes_without_the_claim_lock_send_some_messages_twice() {
    if let Some(twice) = two_processes(false) {
        assert!(twice > 0, "the unlocked claim sent nothing twice");
    }
}
