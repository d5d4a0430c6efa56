//! Reminders for a borough's term (issue 14): 200 groups × 12 families seeded through the store,
//! a ManualClock set to the reminders' due time, `queue_due_reminders` timed (2,400 rows) and
//! then called again at once (finding nothing new). The same 2,400 emails then go twice to one
//! local SMTP server that discards them (aiosmtpd): first by a bare lettre loop (one pooled
//! transport with the worker's pool size, as many sends in flight as the worker's batch, the
//! emails built beforehand), then by groupwork's delivery worker as `serve` makes it
//! (`Worker::deliver_due` until nothing is due: claim, build, send, record). Lastly the rest of
//! the six-week term's reminders, a week at a time.

mod seed;

use super::{Scenario, ScenarioError};
use crate::support::report::{Check, Measurement};
use crate::support::server::BenchApp;
use crate::support::smtp_sink::{SinkError, SmtpSink};
use chrono::TimeDelta;
use groupwork::messages::smtp;
use groupwork::messages::worker::Worker;
use groupwork::service::messages::queue_due_reminders;
use groupwork::service::Services;
use groupwork::store::{self, messages::Filter};
use groupwork::{Clock, ManualClock};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    name: "messages",
    about: "reminders for 200 groups × 12 families: queue_due_reminders at their due time (2,400 rows), delivery of those 2,400 emails to a local SMTP server (aiosmtpd, discarding) by the worker against a bare lettre loop to the same server, and a six-week term's 14,400 reminders",
    run,
    only: None,
};

const REMINDERS: usize = seed::GROUPS * seed::FAMILIES_EACH;
const GOAL: f64 = 0.5;
/// Past this the delivery is hopelessly slow: stop and let the checks say so.
const DELIVERY_LIMIT: Duration = Duration::from_secs(60);

fn failed(e: impl std::fmt::Display) -> ScenarioError {
    ScenarioError::Failed(e.to_string())
}

fn run(app: &BenchApp) -> Result<Measurement, ScenarioError> {
    // Before seeding: without a mail server there is nothing to measure.
    let sink = SmtpSink::start().map_err(|e| match e {
        SinkError::Unavailable(why) => ScenarioError::NotMeasured(why),
        SinkError::Failed(e) => ScenarioError::Failed(e),
    })?;
    let name = app.backend.name();
    let clock = Arc::new(ManualClock::new(
        seed::reminder_due(0) - TimeDelta::hours(2),
    ));
    // The app's own pool and signals, on a clock the scenario moves.
    let services = Services {
        clock: clock.clone(),
        ..app.state.services.clone()
    };
    let began = Instant::now();
    {
        let mut conn = app.state.pool.get().map_err(failed)?;
        seed::term(&mut conn, clock.now().naive_utc())
            .map_err(|e| failed(format!("seeding: {e}")))?;
    }
    println!(
        "  {name:<8} seeded {} groups, {REMINDERS} families, {} sessions in {:.1} s (not timed)",
        seed::GROUPS,
        seed::GROUPS * seed::SESSIONS,
        began.elapsed().as_secs_f64()
    );
    // One thread, as `groupwork serve` and `deliver` run the worker (database work goes to the
    // blocking pool); the bare loop runs on the same kind of runtime.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(failed)?;
    // lettre's pool spawns its upkeep when made and when dropped: both need the runtime (the
    // worker, declared after this, is dropped before it).
    let _entered = rt.enter();
    // The worker as `serve` makes it from the settings, pointed at the sink.
    let mut config = app.state.config.clone();
    config.smtp_url = Some(sink.url());
    let worker = Worker::from_config(&services, &config).map_err(failed)?;
    let (batch, pool) = (config.delivery_batch, config.smtp_pool);
    let mut checks = Vec::new();

    // 1. The day before the first session, at 10:00: every family's reminder.
    clock.set(seed::reminder_due(0));
    let t = Instant::now();
    let queued = rt
        .block_on(queue_due_reminders(&services))
        .map_err(failed)?;
    let enqueue = t.elapsed();
    let t = Instant::now();
    let again = rt
        .block_on(queue_due_reminders(&services))
        .map_err(failed)?;
    let rescan = t.elapsed();
    println!(
        "  {name:<8} enqueue: {queued} reminders in {:.3} s ({:.0}/s); a second look at once queued {again} in {:.3} s",
        enqueue.as_secs_f64(),
        queued as f64 / enqueue.as_secs_f64().max(1e-9),
        rescan.as_secs_f64()
    );
    checks.push(Check {
        ok: queued == REMINDERS && again == 0,
        what: format!("{queued} reminders queued at their due time, then {again} more (want {REMINDERS}, then 0)"),
    });

    // 2. The same emails by a bare lettre loop, to the same server.
    let rows = {
        let mut conn = app.state.pool.get().map_err(failed)?;
        let filter = Filter {
            status: Some(groupwork::domain::message::MessageStatus::Queued),
            ..Filter::default()
        };
        store::messages::list(&mut conn, &filter, REMINDERS as i64 * 2, 0)
            .map_err(failed)?
            .items
    };
    let emails = rows
        .iter()
        .map(|m| smtp::email(&config.mail_from, m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let bytes = emails.iter().map(|e| e.formatted().len()).sum::<usize>() / emails.len().max(1);
    let url = sink.url();
    // A first batch wakes the server up; neither side is charged for it.
    let warm = emails.iter().take(batch as usize).cloned().collect();
    rt.block_on(blast(&url, pool, batch as usize, warm))
        .map_err(failed)?;
    let (bare, bare_errors) = rt
        .block_on(blast(&url, pool, batch as usize, emails))
        .map_err(failed)?;
    let bare_rate = (rows.len() - bare_errors) as f64 / bare.as_secs_f64().max(1e-9);
    println!(
        "  {name:<8} bare lettre loop: {} emails of ~{bytes} bytes in {:.3} s, {bare_rate:.0}/s ({batch} in flight, pool of {pool}, {bare_errors} refused)",
        rows.len(),
        bare.as_secs_f64()
    );
    checks.push(Check {
        ok: bare_errors == 0 && rows.len() == REMINDERS,
        what: format!(
            "the bare loop sent all {} queued emails ({bare_errors} refused)",
            rows.len()
        ),
    });

    // 3. groupwork's delivery, as the worker runs it once woken: until nothing is due.
    let t = Instant::now();
    let (_, sent) = rt
        .block_on(tokio::time::timeout(
            DELIVERY_LIMIT,
            worker.deliver_due(usize::MAX),
        ))
        .map_err(|_| failed(format!("delivery took over {DELIVERY_LIMIT:?}")))?
        .map_err(failed)?;
    let ours = t.elapsed();
    let ours_rate = sent as f64 / ours.as_secs_f64().max(1e-9);
    let ratio = ours_rate / bare_rate.max(1e-9);
    println!(
        "  {name:<8} groupwork delivery: {sent} in {:.3} s, {ours_rate:.0}/s (up to {batch} in flight, pool of {pool})",
        ours.as_secs_f64()
    );
    println!(
        "  {name:<8} ours / bare {ratio:.2}: goal ≥ {GOAL} × the bare loop {}",
        if ratio >= GOAL { "met" } else { "MISSED" }
    );
    let statuses = {
        let mut conn = app.state.pool.get().map_err(failed)?;
        store::messages::backlog(&mut conn).map_err(failed)?
    };
    checks.push(Check {
        ok: statuses == [("sent".to_string(), REMINDERS as i64)],
        what: format!("every one of the {REMINDERS} reminders ended sent: {statuses:?}"),
    });

    // 4. The rest of the term, a week at a time; the first week was step 1.
    let mut term = enqueue;
    let mut weeks = vec![queued];
    for n in 1..seed::SESSIONS {
        clock.set(seed::reminder_due(n));
        let t = Instant::now();
        weeks.push(
            rt.block_on(queue_due_reminders(&services))
                .map_err(failed)?,
        );
        term += t.elapsed();
    }
    let term_rows: usize = weeks.iter().sum();
    println!(
        "  {name:<8} a six-week term: {term_rows} reminders in {} calls, {:.3} s",
        weeks.len(),
        term.as_secs_f64()
    );
    let total = {
        let mut conn = app.state.pool.get().map_err(failed)?;
        store::messages::backlog(&mut conn)
            .map_err(failed)?
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    checks.push(Check {
        ok: weeks.iter().all(|&w| w == REMINDERS) && total == (REMINDERS * seed::SESSIONS) as i64,
        what: format!(
            "each week queued {REMINDERS} ({weeks:?}); {total} messages in all (want {})",
            REMINDERS * seed::SESSIONS
        ),
    });
    drop(sink);

    Ok(Measurement {
        scenario: SCENARIO.name,
        backend: name,
        unit: "messages",
        requests: sent,
        seconds: ours.as_secs_f64(),
        runs_seconds: vec![ours.as_secs_f64()],
        // The worker's sends are not timed one by one.
        latency: None,
        counts: vec![("bytes each", bytes)],
        figures: vec![
            ("bare messages/s", bare_rate),
            ("ours / bare", ratio),
            ("enqueue 2,400 s", enqueue.as_secs_f64()),
            ("again at once s", rescan.as_secs_f64()),
            ("term 14,400 s", term.as_secs_f64()),
        ],
        checks,
    })
}

/// Sends `emails` through one pooled transport configured as the worker's (`Smtp::new`), with
/// `in_flight` sends at a time (a new one starts as each finishes). Returns the time taken and
/// how many the server refused.
async fn blast(
    url: &str,
    pool: u32,
    in_flight: usize,
    emails: Vec<lettre::Message>,
) -> Result<(Duration, usize), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| e.to_string())?
        .timeout(Some(Duration::from_secs(20)))
        .pool_config(PoolConfig::new().max_size(pool.max(1)))
        .build();
    let began = Instant::now();
    let mut sending = tokio::task::JoinSet::new();
    let mut refused = 0;
    for email in emails {
        if sending.len() >= in_flight {
            if let Some(done) = sending.join_next().await {
                refused += usize::from(!done.unwrap_or(false));
            }
        }
        let t = transport.clone();
        sending.spawn(async move { t.send(email).await.is_ok() });
    }
    while let Some(done) = sending.join_next().await {
        refused += usize::from(!done.unwrap_or(false));
    }
    Ok((began.elapsed(), refused))
}
