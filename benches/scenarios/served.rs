//! groupwork as a child process (`groupwork serve`) on a seeded borough (200 published groups,
//! 2,000 families), on SQLite and on PostgreSQL, against the reference server measured in the
//! same run: the public listing (first page and a filtered query) at saturation and at half of
//! it, login, a register PUT, a booking burst (200 parents on 5 new groups of 10 places, with
//! the peak RSS while it runs), and the child's peak RSS.

pub(crate) mod seed;
pub mod table;

use super::booking_burst;
use crate::support::child::{self, FreshDb, ServerChild};
use crate::support::load::{self, Phase};
use crate::support::seed::{self as api_seed, client, Api};
use crate::support::server::{Backend, StartError};
use crate::support::stats::ms;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 16;
const WARMUP: Duration = Duration::from_millis(500);
const SATURATION: Duration = Duration::from_secs(3);
const AT_HALF: Duration = Duration::from_secs(3);
const LOGIN: Duration = Duration::from_secs(3);
const REGISTER_PUTS: usize = 100;
pub const FIRST_PAGE: &str = "/api/v1/listings";
pub const ABOUT: &str = "groupwork as a child process on 200 published groups and 2,000 families, against the reference server: the listing, the programme page and one group's page at saturation and at 50% of it (constant rate, latency from the scheduled send), login, register PUT, peak RSS";
pub const FILTERED: &str = "/api/v1/listings?programme=cosp&has_places=true&limit=10";
pub const PROGRAMME: &str = "/programme";

/// The page of the listing's first group.
fn group_page(server: &ServerChild) -> Result<String, String> {
    let first: Value = client()
        .get(format!("{}/api/v1/listings?limit=1", server.base()))
        .send()
        .and_then(|r| r.json())
        .map_err(|e| format!("listing: {e}"))?;
    let id = first["items"][0]["cohort_id"]
        .as_i64()
        .ok_or("the listing has no group")?;
    Ok(format!("/programme/groups/{id}"))
}

/// One endpoint: requests/s at saturation, then latency at half that rate.
pub struct Throughput {
    pub target: String,
    pub bytes: usize,
    pub saturated: Phase,
    pub at_half: Phase,
}

pub struct OnBackend {
    pub backend: Backend,
    pub listings: Vec<Throughput>,
    pub login: Phase,
    pub register: Phase,
    /// A booking burst (200 parents at once on 5 new groups of 10 places), and the peak RSS
    /// while it ran (the peak started again just before it).
    pub burst: Phase,
    pub burst_rss_mib: Option<f64>,
    /// The child's RSS just before the burst (what the sign-ups and the phases before left).
    pub rss_before_burst_mib: Option<f64>,
    /// The floor under any write: a one-row UPDATE committed on its own, straight through
    /// diesel on the same database, as many times as the register PUTs.
    pub commit: Phase,
    /// Peak RSS after the listing phases, then after everything (argon2 needs ~19 MiB a hash).
    pub rss_listing_mib: Option<f64>,
    pub peak_rss_mib: Option<f64>,
}

pub struct Served {
    pub reference: Option<Throughput>,
    pub backends: Vec<OnBackend>,
    pub not_measured: Vec<(Backend, String)>,
}

fn throughput(addr: &str, path: &str, target: String) -> Result<Throughput, String> {
    let bytes = load::body_length(addr, path)?;
    let saturated = load::saturate(addr, path, CONNECTIONS, WARMUP, SATURATION);
    let half = saturated.per_second() / 2.0;
    let at_half = load::constant_rate(addr, path, CONNECTIONS, half, AT_HALF);
    println!(
        "  {target:<28} {bytes:>6} B  {:>8.0} req/s  at {half:.0}/s: p50 {:.2} ms p99 {:.2} ms p99.9 {:.2} ms  ({} errors)",
        saturated.per_second(),
        ms(at_half.pct(50.0)),
        ms(at_half.pct(99.0)),
        ms(at_half.pct(99.9)),
        saturated.errors + at_half.errors
    );
    Ok(Throughput {
        target,
        bytes,
        saturated,
        at_half,
    })
}

pub fn run(workers: usize, pool: u32) -> Result<Served, String> {
    let mut out = Served {
        reference: None,
        backends: Vec::new(),
        not_measured: Vec::new(),
    };
    for backend in Backend::ALL {
        let db = match FreshDb::create(backend, "served") {
            Ok(db) => db,
            Err(StartError::Unavailable(why)) => {
                println!("  {}: not measured ({why})", backend.title());
                out.not_measured.push((backend, why));
                continue;
            }
            Err(StartError::Failed(e)) => return Err(e),
        };
        let began = Instant::now();
        let seeded = {
            let (pool, _) = groupwork::db::connect(db.url(), 1, Duration::from_secs(10))?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            seed::borough(&mut conn)?
        };
        let server = child::groupwork(&db, workers, pool)?;
        println!(
            "  {:<8} seeded and started in {:.1} s",
            backend.name(),
            began.elapsed().as_secs_f64()
        );
        if out.reference.is_none() {
            // The same size as groupwork's first page, measured before groupwork is loaded.
            let size = load::body_length(&server.addr, FIRST_PAGE)?;
            let reference = child::reference(size, workers)?;
            out.reference = Some(throughput(
                &reference.addr,
                "/",
                "reference (bare actix-web)".into(),
            )?);
        }
        let name = backend.name();
        let listings = vec![
            throughput(
                &server.addr,
                FIRST_PAGE,
                format!("{name} listing, first page"),
            )?,
            throughput(&server.addr, FILTERED, format!("{name} listing, filtered"))?,
            // The same rows as web pages: the whole programme (every group, in HTML) and one
            // group's page with its dates.
            throughput(&server.addr, PROGRAMME, format!("{name} programme page"))?,
            throughput(
                &server.addr,
                &group_page(&server)?,
                format!("{name} one group's page"),
            )?,
        ];
        let rss_listing_mib = server.peak_rss_mib();
        let login = login(&server, workers)?;
        let register = register(&server.base(), &seeded, REGISTER_PUTS)?;
        let (burst, burst_rss_mib, rss_before_burst_mib) = burst(&server, workers)?;
        let commit = bare_commits(db.url(), REGISTER_PUTS)?;
        println!(
            "  {name:<8} login {:.0}/s p99 {:.0} ms; register PUT p50 {:.1} ms p99 {:.1} ms (a bare one-row commit: p50 {:.1} ms)",
            login.per_second(),
            ms(login.pct(99.0)),
            ms(register.pct(50.0)),
            ms(register.pct(99.0)),
            ms(commit.pct(50.0))
        );
        println!(
            "  {name:<8} booking burst of {}: p50 {:.1} ms p99 {:.1} ms, RSS {} MiB before it, peak {} MiB during it",
            burst.requests + burst.errors,
            ms(burst.pct(50.0)),
            ms(burst.pct(99.0)),
            rss_before_burst_mib.map_or("-".into(), |m| format!("{m:.0}")),
            burst_rss_mib.map_or("-".into(), |m| format!("{m:.0}"))
        );
        out.backends.push(OnBackend {
            backend,
            listings,
            login,
            register,
            burst,
            burst_rss_mib,
            rss_before_burst_mib,
            commit,
            rss_listing_mib,
            peak_rss_mib: server.peak_rss_mib(),
        });
    }
    Ok(out)
}

/// Closed loops of `POST /auth/login` (argon2: CPU-bound), one per worker, for a few seconds.
fn login(server: &ServerChild, threads: usize) -> Result<Phase, String> {
    let url = format!("{}/api/v1/auth/login", server.base());
    let body = json!({"email": seed::PARENT, "password": seed::PASSWORD});
    let end = Instant::now() + LOGIN;
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let (c, mut times, mut errors) = (client(), Vec::new(), 0);
                    while Instant::now() < end {
                        let sent = Instant::now();
                        match c.post(&url).json(&body).send() {
                            Ok(r) if r.status() == 200 => times.push(sent.elapsed()),
                            _ => errors += 1,
                        }
                    }
                    (times, errors)
                })
            })
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    Ok(phase(results, LOGIN.as_secs_f64()))
}

/// `n` transactions of one one-row UPDATE each, committed one after another on the database at
/// `url`: what the disk's flush at COMMIT costs, the part of a write no fewer round trips remove.
fn bare_commits(url: &str, n: usize) -> Result<Phase, String> {
    use diesel::connection::SimpleConnection;
    let (pool, _) = groupwork::db::connect(url, 1, Duration::from_secs(10))?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let began = Instant::now();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let sent = Instant::now();
        conn.batch_execute(
            "BEGIN; UPDATE sessions SET register_version = register_version WHERE id = 1; COMMIT;",
        )
        .map_err(|e| format!("bare commit: {e}"))?;
        times.push(sent.elapsed());
    }
    Ok(phase(vec![(times, 0)], began.elapsed().as_secs_f64()))
}

/// The booking burst of `booking_burst` against the child: 200 parents (registered first, not
/// timed) book 5 new groups of 10 places at once. Latency from each request's send to its
/// answer; the child's peak RSS counted from just before the burst.
fn burst(
    server: &ServerChild,
    workers: usize,
) -> Result<(Phase, Option<f64>, Option<f64>), String> {
    let base = server.base();
    let api = Api::new(&base);
    let token = api.post(
        "/api/v1/auth/login",
        None,
        json!({"email": seed::COORDINATOR, "password": seed::PASSWORD}),
        200,
    )?["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string();
    let groups = api_seed::groups(
        &api,
        &token,
        "burst",
        booking_burst::GROUPS,
        booking_burst::PLACES as u32,
    )?;
    let parents = api_seed::parents(&base, booking_burst::PARENTS, 2 * workers.max(1))?;
    let before = server.rss_mib();
    server.reset_peak_rss()?;
    let began = Instant::now();
    let answers = booking_burst::burst(&base, &groups, &parents);
    let seconds = began.elapsed().as_secs_f64();
    let rss = server.peak_rss_mib();
    let (ok, errors): (Vec<_>, Vec<_>) = answers.iter().partition(|a| a.status == 201);
    let times = ok.iter().map(|a| a.done - a.sent).collect();
    Ok((phase(vec![(times, errors.len())], seconds), rss, before))
}

/// `puts` × `PUT /sessions/{id}/register` one after another, as a facilitator saving marks:
/// every save flips ten families between present and late, with the ETag of the previous answer.
pub fn register(base: &str, seeded: &seed::Seeded, puts: usize) -> Result<Phase, String> {
    let c = client();
    let tokens: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": seed::COORDINATOR, "password": seed::PASSWORD}))
        .send()
        .and_then(|r| r.json())
        .map_err(|e| format!("coordinator login: {e}"))?;
    let token = tokens["access_token"].as_str().ok_or("no access token")?;
    let url = format!("{base}/api/v1/sessions/{}/register", seeded.session);
    let etag_of = |r: &reqwest::blocking::Response| {
        r.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let first = c
        .get(&url)
        .bearer_auth(token)
        .send()
        .map_err(|e| e.to_string())?;
    let mut etag =
        etag_of(&first).ok_or_else(|| format!("GET register: {} without ETag", first.status()))?;
    let began = Instant::now();
    let (mut times, mut errors) = (Vec::new(), 0);
    for i in 0..puts {
        let status = if i % 2 == 0 { "present" } else { "late" };
        let marks: Vec<Value> = seeded
            .bookings
            .iter()
            .map(|b| json!({"booking_id": b, "status": status}))
            .collect();
        let sent = Instant::now();
        let res = c
            .put(&url)
            .bearer_auth(token)
            .header("If-Match", &etag)
            .json(&json!({"marks": marks}))
            .send();
        match res {
            Ok(r) if r.status() == 200 => {
                times.push(sent.elapsed());
                etag = etag_of(&r).unwrap_or(etag);
            }
            Ok(r) => {
                errors += 1;
                if errors == 1 {
                    eprintln!(
                        "  register PUT: {}: {}",
                        r.status(),
                        r.text().unwrap_or_default()
                    );
                }
            }
            Err(_) => errors += 1,
        }
    }
    Ok(phase(vec![(times, errors)], began.elapsed().as_secs_f64()))
}

fn phase(results: Vec<(Vec<Duration>, usize)>, seconds: f64) -> Phase {
    let mut latencies: Vec<Duration> = results
        .iter()
        .flat_map(|(t, _)| t.iter().copied())
        .collect();
    latencies.sort_unstable();
    Phase {
        requests: latencies.len(),
        errors: results.iter().map(|(_, e)| e).sum(),
        seconds,
        latencies,
    }
}

pub fn to_json(s: &Served) -> Value {
    let tp = |t: &Throughput| {
        let reference = s.reference.as_ref().map(|r| r.saturated.per_second());
        json!({
            "target": t.target, "bytes": t.bytes,
            "requests_per_second": t.saturated.per_second(),
            "ratio_to_reference": reference.map(|r| t.saturated.per_second() / r),
            "constant_rate_per_second": t.saturated.per_second() / 2.0,
            "p50_ms": ms(t.at_half.pct(50.0)), "p99_ms": ms(t.at_half.pct(99.0)),
            "p999_ms": ms(t.at_half.pct(99.9)), "max_ms": ms(t.at_half.pct(100.0)),
            "errors": t.saturated.errors + t.at_half.errors,
        })
    };
    json!({
        "connections": CONNECTIONS,
        "reference": s.reference.as_ref().map(tp),
        "backends": s.backends.iter().map(|b| json!({
            "backend": b.backend.name(),
            "listings": b.listings.iter().map(tp).collect::<Vec<_>>(),
            "login": {"per_second": b.login.per_second(), "p99_ms": ms(b.login.pct(99.0)), "errors": b.login.errors},
            "register_put": {"count": b.register.requests, "p50_ms": ms(b.register.pct(50.0)), "p99_ms": ms(b.register.pct(99.0)), "errors": b.register.errors},
            "bare_commit": {"count": b.commit.requests, "p50_ms": ms(b.commit.pct(50.0)), "p99_ms": ms(b.commit.pct(99.0))},
            "booking_burst": {"count": b.burst.requests, "p50_ms": ms(b.burst.pct(50.0)), "p99_ms": ms(b.burst.pct(99.0)), "errors": b.burst.errors, "peak_rss_mib": b.burst_rss_mib, "rss_before_mib": b.rss_before_burst_mib},
            "peak_rss_mib_after_listing": b.rss_listing_mib,
            "peak_rss_mib": b.peak_rss_mib,
        })).collect::<Vec<_>>(),
        "not_measured": s.not_measured.iter().map(|(b, why)| json!({"backend": b.name(), "reason": why})).collect::<Vec<_>>(),
    })
}
